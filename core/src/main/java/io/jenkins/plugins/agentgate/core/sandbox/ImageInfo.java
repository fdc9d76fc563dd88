package io.jenkins.plugins.agentgate.core.sandbox;

import java.util.List;

/** A local image as the engine resolved it: the id the container is pinned to, and its repo digests. */
public record ImageInfo(String reference, String id, List<String> repoDigests) {
    public ImageInfo {
        repoDigests = List.copyOf(repoDigests);
    }
}
