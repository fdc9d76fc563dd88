package io.jenkins.plugins.agentgate.core.profile;

import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import java.time.Duration;
import java.util.List;

/**
 * Which credentials a run may lease, for how long and how they may reach the sandbox.
 *
 * @param allowed               credential ids that may be leased
 * @param maxTtl                longest lease
 * @param injection             allowed injection modes
 * @param requireFileWhenOutlasting when a lease is shorter than the run's timeout, only file mode is
 *                              allowed, because only a file can be taken away from a live sandbox
 */
public record CredentialPolicy(List<String> allowed, Duration maxTtl, List<InjectionMode> injection,
                               boolean requireFileWhenOutlasting) {
    public CredentialPolicy {
        allowed = Lists.sortedDistinct(allowed);
        injection = injection == null ? List.of() : injection.stream().distinct().sorted().toList();
    }
}
