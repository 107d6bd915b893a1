package org.celeriac.container;

/**
 * A bundle that is not running as it should: not installed, not resolved, or not started.
 *
 * @param bundle which bundle: its symbolic name and version, or its file when it could not be installed
 * @param state  what it is instead of ACTIVE (or RESOLVED, for a fragment): INSTALLED, RESOLVED, NOT INSTALLED
 * @param reason why, as the framework says it (for an unresolved bundle, the missing requirement)
 */
public record BundleProblem(String bundle, String state, String reason) {

    @Override
    public String toString() {
        return bundle + " is " + state + ": " + reason;
    }
}
