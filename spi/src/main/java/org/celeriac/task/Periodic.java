package org.celeriac.task;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@link Task} method periodically: beat sends it on this schedule while its task package is deployed, as an
 * entry of Celery's {@code beat_schedule} would. Give {@link #every()} or {@link #crontab()}; repeat the annotation
 * for several schedules.
 *
 * <pre>
 * &#64;Task(name = "reports.daily")
 * &#64;Periodic(crontab = "0 7 * * mon-fri", timezone = "Europe/Berlin")
 * public void daily() { ... }
 * </pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Repeatable(Periodic.All.class)
public @interface Periodic {

    /** The entry's name; empty for the task's name, with {@code #2}, {@code #3}... for a method's further ones. */
    String name() default "";

    /** Seconds between runs, fractions allowed; 0 when {@link #crontab()} says when. */
    double every() default 0;

    /** When, as a crontab: {@code minute hour day-of-month month day-of-week}, with Celery's crontab semantics. */
    String crontab() default "";

    /** The crontab's zone ({@code Europe/Berlin}); empty for {@code beat_timezone}. */
    String timezone() default "";

    /** Positional arguments, a JSON array. */
    String args() default "[]";

    /** Keyword arguments, a JSON object. */
    String kwargs() default "{}";

    /** The queue to send to; empty for the task's own or the default one. */
    String queue() default "";

    /** Seconds after sending that an unstarted run expires; 0 for never. */
    double expires() default 0;

    /** The container of repeated {@code @Periodic}s. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface All {
        Periodic[] value();
    }
}
