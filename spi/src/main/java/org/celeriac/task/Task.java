package org.celeriac.task;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method a task. Arguments arrive as JSON and bind to parameters by position ({@code args}) and by
 * name ({@code kwargs}, which needs classes compiled with {@code -parameters}); a parameter of type
 * {@link TaskContext} receives the running task's context. The return value is the result, serialized as JSON.
 *
 * <p>The method's class needs a public no-argument constructor unless the method is static. A task package
 * names its task classes in the {@value #MANIFEST_HEADER} manifest header, comma separated.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Task {

    /** The manifest header listing a task package's classes that declare tasks. */
    String MANIFEST_HEADER = "Celeriac-Tasks";

    /** The task name on the wire ({@code demo.add}). */
    String name();

    /** The queue a client sends it to when the call names none; empty for the default queue. */
    String queue() default "";

    /** How often it may be retried; -1 for no limit. Celery's default is 3. */
    int maxRetries() default 3;

    /** Seconds before a retry that names no countdown. Celery's default is 180. */
    double defaultRetryDelay() default 180;

    /** Acknowledge after the task ran rather than before; {@link Toggle#DEFAULT} takes {@code task_acks_late}. */
    Toggle acksLate() default Toggle.DEFAULT;

    /** Do not store the result (failures neither, unless {@link #storeErrorsEvenIfIgnored()}). */
    boolean ignoreResult() default false;

    /**
     * With {@link #ignoreResult()}, still store failures (and retries), as Celery's
     * {@code store_errors_even_if_ignored}; {@link Toggle#DEFAULT} takes {@code task_store_errors_even_if_ignored}.
     */
    Toggle storeErrorsEvenIfIgnored() default Toggle.DEFAULT;

    /**
     * For a late-ack task whose run the worker itself cuts short (its thread interrupted when a shutdown gives up
     * waiting for it): requeue the message rather than ack it and fail the task with {@code WorkerLostError}, as
     * Celery's {@code reject_on_worker_lost}; {@link Toggle#DEFAULT} takes {@code task_reject_on_worker_lost}.
     * A worker process that dies never acks: the broker returns its late-ack messages either way.
     */
    Toggle rejectOnWorkerLost() default Toggle.DEFAULT;

    /**
     * How often this task may start on one worker, as Celery's {@code rate_limit}: {@code "10/s"}, {@code "100/m"},
     * {@code "1000/h"} or a number per second; empty for the worker's {@code task_default_rate_limit}, by default
     * none. Tasks over the limit wait on the worker without holding a thread.
     */
    String rateLimit() default "";

    /**
     * Seconds after which a running attempt is abandoned and fails with {@code TimeLimitExceeded}; 0 takes the
     * call's limit or else {@code task_time_limit}. A call's limit wins over this, as in Celery.
     */
    double timeLimit() default 0;

    /**
     * Seconds after which the task's thread is interrupted, so that it can clean up; left uncaught, the
     * interrupt ends it with {@link SoftTimeLimitExceeded}. 0 takes the call's limit or else
     * {@code task_soft_time_limit}.
     */
    double softTimeLimit() default 0;

    /** Store the STARTED state when an attempt starts; {@link Toggle#DEFAULT} takes {@code task_track_started}. */
    Toggle trackStarted() default Toggle.DEFAULT;

    /** Exceptions that retry the task by themselves, as if it had thrown {@link TaskContext#retry}. */
    Class<? extends Throwable>[] autoretryFor() default {};

    /**
     * For automatic retries: seconds of exponential backoff, the countdown of retry n being this times 2^n;
     * 0 for none ({@link #defaultRetryDelay()} then).
     */
    int retryBackoff() default 0;

    /** The longest backoff countdown, in seconds. */
    int retryBackoffMax() default 600;

    /** Whether a backoff countdown is a random one between 0 and the exponential one (full jitter). */
    boolean retryJitter() default true;

    /** A per-task choice that can also fall back to the worker-wide setting. */
    enum Toggle { DEFAULT, ON, OFF }
}
