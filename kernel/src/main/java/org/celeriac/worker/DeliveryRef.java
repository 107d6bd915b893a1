package org.celeriac.worker;

import org.celeriac.spi.transport.Delivery;

/** A delivery compared by identity: a record's hash would hash the whole message. */
record DeliveryRef(Delivery delivery) {
    @Override
    public boolean equals(Object o) {
        return o instanceof DeliveryRef r && r.delivery == delivery;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(delivery);
    }
}
