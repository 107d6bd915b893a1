package org.celeriac.redis;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Tests of an inherited contract that a subclass leaves out, by method name: a contract's tests are package-private,
 * so a subclass in another package cannot override them. For tests that another class already runs and that the
 * subclass's variation does not touch (timing waits, over TLS).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(SkippedContractTests.Condition.class)
public @interface SkippedContractTests {
    /** The names of the test methods left out. */
    String[] value();

    /** Why, and where they do run. */
    String reason();

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            SkippedContractTests skipped = context.getRequiredTestClass().getAnnotation(SkippedContractTests.class);
            boolean skip = skipped != null && context.getTestMethod()
                    .map(m -> List.of(skipped.value()).contains(m.getName())).orElse(false);
            return skip ? ConditionEvaluationResult.disabled(skipped.reason())
                    : ConditionEvaluationResult.enabled("not left out");
        }
    }
}
