package io.jenkins.plugins.agentgate.cli;

import io.jenkins.plugins.agentgate.core.approval.ApprovalRequest;
import io.jenkins.plugins.agentgate.core.evidence.Dsse;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceRecord;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * First-use costs off a short run's critical path. A JVM CLI pays, once per process, for loading and initialising
 * Jackson and building its serializers by reflection (the policy hash and the evidence are canonical JSON): ~0.1-0.3 s
 * of a run that otherwise mostly waits on Docker. Two daemon threads take those costs where the main thread would
 * otherwise idle or do unrelated work: the policy and approval-digest part while picocli builds its model and the
 * arguments are parsed, the evidence part while the agent runs. Neither shares state with the run (the engine is pure, the results are
 * dropped, Jackson's serializer caches are thread-safe); a failure is ignored, the run then pays the cost itself.
 */
final class Warmup {
    private Warmup() {}

    /** At start-up, for the subcommands that decide a policy ({@code run}, {@code policy}); else does nothing. */
    static void startFor(String[] args) {
        if (shouldStart(args)) {
            daemon("agentgate-warmup-policy", Warmup::decideOnce);
        }
    }

    /** While the agent runs: the evidence record's serializers and the JSON tree round trip its writing uses. */
    static void startEvidence() {
        daemon("agentgate-warmup-evidence", Warmup::evidenceSerializers);
    }

    static boolean shouldStart(String[] args) {
        return args.length > 0 && (args[0].equals("run") || args[0].equals("policy"));
    }

    static String decideOnce() {
        try {
            // An image is named so that the decision allows and the plan's policy hash (the Jackson part) is computed;
            // deciding is pure: nothing is pulled or inspected.
            PolicyResult r = new PolicyEngine().decide(DefaultCatalog.get(),
                    RunRequest.builder(ExecutionClass.DRAFT).image("agentgate/warmup:0").build());
            if (!r.allowed()) {
                return null;
            }
            // The approval check digests the request (canonical JSON of its own types) even when none is required.
            ApprovalRequest.of(r.plan(), ApprovalRequest.promptHashOf("warmup"), null, "warmup", Instant.now()).digest();
            return r.plan().policyHash();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    static boolean evidenceSerializers() {
        try {
            // Builds (and caches in the shared mapper) the serializers of the record and of every type it holds.
            boolean ok = CanonicalJson.mapper().canSerialize(EvidenceRecord.class) && CanonicalJson.mapper().canSerialize(Dsse.Envelope.class);
            CanonicalJson.pretty(Map.of("warmup", List.of(1, "a")));
            return ok;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }
}
