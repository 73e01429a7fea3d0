package dev.marketdata.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints every skipped test with its reason into the build's output, and a summary of the reasons at the end
 * of each test run: Maven's own summary counts skipped tests but does not say why. Registered through
 * {@code META-INF/services}, so every test JVM (surefire's and failsafe's) uses it.
 */
public final class SkippedTestsReport implements TestExecutionListener {

    private final Map<String, List<String>> byReason = new TreeMap<>();
    private volatile TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        String name = test.getLegacyReportingName();
        String where = test.getParentIdObject().map(Object::toString).orElse("");
        int klass = where.lastIndexOf("[class:");
        String owner = klass < 0 ? "" : where.substring(klass + 7, where.indexOf(']', klass));
        String shown = (owner.isEmpty() ? "" : owner.substring(owner.lastIndexOf('.') + 1) + ".") + name;
        // A skipped class is one event for all its tests: count them, as Maven's summary does.
        long tests = test.isTest() || plan == null ? 1 : plan.getDescendants(test).stream().filter(TestIdentifier::isTest).count();
        if (!test.isTest()) {
            shown = name.substring(name.lastIndexOf('.') + 1) + " (" + tests + " tests)";
        }
        System.out.println("[SKIPPED] " + shown + ": " + reason);
        List<String> skipped = byReason.computeIfAbsent(reason, r -> new ArrayList<>());
        for (long i = 0; i < tests; i++) {
            skipped.add(shown);
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        // Nothing: only skips are reported here.
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        byReason.forEach((reason, tests) -> System.out.println("[SKIPPED] " + tests.size() + " test(s) skipped: " + reason));
        byReason.clear();
    }
}
