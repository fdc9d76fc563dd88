package io.jenkins.plugins.agentgate.core.profile;

import java.util.List;

/**
 * Which container images a profile admits.
 *
 * @param allowed       glob patterns over the full reference ({@code *} matches any run of characters)
 * @param requireDigest whether the reference must pin a digest ({@code @sha256:...})
 * @param defaultImage  image used when the request names none, or null (then the request must name one)
 */
public record ImagePolicy(List<String> allowed, boolean requireDigest, String defaultImage) {
    public ImagePolicy {
        allowed = Lists.sortedDistinct(allowed);
    }
}
