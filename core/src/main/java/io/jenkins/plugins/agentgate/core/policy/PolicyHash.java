package io.jenkins.plugins.agentgate.core.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The system policy hash: SHA-256 over the canonical JSON of a profile without its description (nor its
 * connectors' descriptions). MCP tools and the connectors they use are covered; secret values never are
 * (a connector names credential ids only). Key
 * order, quoting, comments and whitespace of the YAML it came from cannot change it (lists are kept
 * sorted by the records); any semantic change does.
 */
public final class PolicyHash {
    /**
     * Sorted bean properties and sorted maps (connector env, argument constraints) give the canonical form without a
     * tree round trip.
     */
    private static final ObjectWriter WRITER = CanonicalJson.mapper().copy()
            .addMixIn(SandboxProfile.class, WithoutDescription.class)
            .addMixIn(io.jenkins.plugins.agentgate.core.profile.Connector.class, WithoutDescription.class)
            .writer();
    /** Catalog profiles are hashed on every decision; equal records have equal hashes, so caching is safe. */
    private static final Map<SandboxProfile, String> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private PolicyHash() {}

    public static String of(SandboxProfile profile) {
        return "sha256:" + Digests.sha256Hex(canonicalBytes(profile));
    }

    /** Like {@link #of} but memoized; for long-lived profiles such as those of a catalog. */
    static String cached(SandboxProfile profile) {
        return CACHE.computeIfAbsent(profile, PolicyHash::of);
    }

    public static byte[] canonicalBytes(SandboxProfile profile) {
        try {
            return WRITER.writeValueAsBytes(profile);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize profile " + profile.id(), e);
        }
    }

    private abstract static class WithoutDescription {
        @JsonIgnore
        abstract String description();
    }
}
