package io.jenkins.plugins.agentgate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Thread CPU time per policy decision: a companion to the JMH wall-clock score for shared, loaded machines,
 * where wall time mostly measures the scheduler. Runs 20 rounds of 20,000 decisions; prints the median of the
 * last 10 rounds (after JIT warm-up).
 */
public final class PolicyDecisionCpuTime {
    private PolicyDecisionCpuTime() {}

    public static void main(String[] args) throws Exception {
        PolicyDecisionBenchmark b = new PolicyDecisionBenchmark();
        b.setup();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rounds = 20;
        int n = 20_000;
        double[] perOp = new double[rounds];
        Object sink = null;
        for (int r = 0; r < rounds; r++) {
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink = b.decide();
            }
            perOp[r] = (mx.getCurrentThreadCpuTime() - t0) / 1e3 / n;
        }
        double[] last = Arrays.copyOfRange(perOp, rounds / 2, rounds);
        Arrays.sort(last);
        System.out.printf("policy decision: median %.2f us CPU per decision (last %d rounds of %d; sink %s)%n",
                (last[4] + last[5]) / 2, last.length, n, sink != null);
    }
}
