package org.celeriac.container;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the start: which bundles do not run, and why. The framework only logs a failed start as it happens;
 * this says it again in one place, with the reason (for an unresolved bundle, the requirement nothing
 * provides), and the container goes on with the bundles that do run.
 */
final class BundleCheck {
    private static final Logger LOG = LoggerFactory.getLogger(BundleCheck.class);

    private BundleCheck() {
    }

    static List<BundleProblem> problems(BundleContext context) {
        List<BundleProblem> problems = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getBundleId() == 0 || isRunning(bundle)) {
                continue;
            }
            String state = stateName(bundle);
            String reason = reasonItDoesNotRun(bundle);
            if (reason != null) {
                problems.add(new BundleProblem(bundle.getSymbolicName() + " " + bundle.getVersion(), state, reason));
            }
        }
        return problems;
    }

    static void log(BundleContext context, List<BundleProblem> problems) {
        for (Bundle bundle : context.getBundles()) {
            LOG.info("  [{}] {} {} {}", bundle.getBundleId(), bundle.getSymbolicName(), bundle.getVersion(),
                    stateName(bundle));
        }
        problems.forEach(p -> LOG.warn("Bundle {}", p));
    }

    private static boolean isRunning(Bundle bundle) {
        if (isFragment(bundle)) {
            return bundle.getState() == Bundle.RESOLVED;
        }
        return bundle.getState() == Bundle.ACTIVE || bundle.getState() == Bundle.STARTING;
    }

    /**
     * Starting it again is how the framework tells why it did not start: a resolution or activator failure.
     * Null when it starts now after all.
     */
    private static String reasonItDoesNotRun(Bundle bundle) {
        if (isFragment(bundle)) {
            return "its host is missing or did not resolve";
        }
        try {
            bundle.start();
            return null;
        } catch (BundleException | IllegalStateException e) {
            Throwable cause = e.getCause();
            return cause == null || cause == e ? e.getMessage() : e.getMessage() + ": " + cause;
        }
    }

    private static boolean isFragment(Bundle bundle) {
        return bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
    }

    static String stateName(Bundle bundle) {
        return switch (bundle.getState()) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> Integer.toString(bundle.getState());
        };
    }
}
