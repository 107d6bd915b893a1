package org.celeriac.control;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's resource usage in the shape of Python's {@code resource.getrusage} as Celery's {@code stats} reports
 * it ({@code utime}, {@code stime}, {@code maxrss} in kB, faults, context switches), read from Linux's
 * {@code /proc/self}; elsewhere, CPU time from the JVM and zeros for the rest.
 */
final class ResourceUsage {
    /** Linux's USER_HZ, which {@code /proc/<pid>/stat} counts CPU time in on every architecture it runs here. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ResourceUsage() {
    }

    static Map<String, Object> read() {
        Map<String, Object> r = new LinkedHashMap<>();
        double utime = 0;
        double stime = 0;
        long minflt = 0;
        long majflt = 0;
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            minflt = Long.parseLong(f[7]);
            majflt = Long.parseLong(f[9]);
            utime = Long.parseLong(f[11]) / TICKS_PER_SECOND;
            stime = Long.parseLong(f[12]) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                utime = os.getProcessCpuTime() / 1e9;
            }
        }
        Map<String, Long> status = status();
        r.put("utime", utime);
        r.put("stime", stime);
        r.put("maxrss", status.getOrDefault("VmHWM", 0L));
        for (String unused : List.of("ixrss", "idrss", "isrss")) {
            r.put(unused, 0);
        }
        r.put("minflt", minflt);
        r.put("majflt", majflt);
        for (String unused : List.of("nswap", "inblock", "oublock", "msgsnd", "msgrcv", "nsignals")) {
            r.put(unused, 0);
        }
        r.put("nvcsw", status.getOrDefault("voluntary_ctxt_switches", 0L));
        r.put("nivcsw", status.getOrDefault("nonvoluntary_ctxt_switches", 0L));
        return r;
    }

    /** The numeric lines of {@code /proc/self/status} ({@code VmHWM: 45668 kB}), empty where there is none. */
    private static Map<String, Long> status() {
        Map<String, Long> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String[] v = line.substring(colon + 1).trim().split("\\s+");
                    try {
                        values.put(line.substring(0, colon), Long.parseLong(v[0]));
                    } catch (NumberFormatException ignored) {
                        // not a number: not wanted
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return values;
    }
}
