package io.jenkins.plugins.agentgate.bench;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** One policy decision for a typical Delivery request (target: 5 µs or less, docs/performance.md). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(2)
public class PolicyDecisionBenchmark {
    static final String CATALOG = """
            classes: {delivery: team}
            profiles:
              - id: team
                image: {allowed: ["registry.example.com/agents/*"], default: registry.example.com/agents/codex:1}
                network: {mode: allowlist, allow: ["api.openai.com", "*.npmjs.org"], deny: ["evil.npmjs.org"]}
                filesystem: {workspace: read-write, extraMounts: [/opt/tools]}
                tools: [git, npm, node]
                credentials: {allowed: [openai-key, npm-token], maxTtl: 20m, injection: [env, file]}
                limits: {cpus: 2, memory: 2g, pids: 256, timeout: 30m, maxOutput: 10m}
                approval: {mode: owner, approvers: {users: [alice]}}
            """;

    ProfileCatalog catalog;
    RunRequest request;
    final PolicyEngine engine = new PolicyEngine();

    @Setup
    public void setup() throws Exception {
        catalog = CatalogParser.parse("bench.yaml", CATALOG);
        request = RunRequest.builder(ExecutionClass.DELIVERY)
                .requester("carol")
                .image("registry.example.com/agents/codex:1")
                .tools(List.of("git", "npm"))
                .network(List.of("api.openai.com", "registry.npmjs.org"))
                .credential(new CredentialRequest("openai-key", Duration.ofMinutes(10), null))
                .timeout(Duration.ofMinutes(20))
                .build();
        if (!engine.decide(catalog, request).allowed()) {
            throw new IllegalStateException("benchmark request must be allowed");
        }
    }

    @Benchmark
    public String policyHashOnly() {
        return io.jenkins.plugins.agentgate.core.policy.PolicyHash.of(catalog.profiles().get(0));
    }

    @Benchmark
    public PolicyResult decide() {
        return engine.decide(catalog, request);
    }
}
