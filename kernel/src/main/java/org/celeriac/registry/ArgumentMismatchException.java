package org.celeriac.registry;

/** The arguments of a call do not fit the task's parameters; the message reads like Python's TypeError. */
public class ArgumentMismatchException extends Exception {
    private static final long serialVersionUID = 1L;

    public ArgumentMismatchException(String message) {
        super(message);
    }
}
