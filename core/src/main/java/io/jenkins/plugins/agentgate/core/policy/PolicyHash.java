package io.jenkins.plugins.agentgate.core.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;

/**
 * The system policy hash: SHA-256 over the canonical JSON of a profile without its description. Key
 * order, quoting, comments and whitespace of the YAML it came from cannot change it (lists are kept
 * sorted by the records); any semantic change does.
 */
public final class PolicyHash {
    private PolicyHash() {}

    public static String of(SandboxProfile profile) {
        return "sha256:" + Digests.sha256Hex(canonicalBytes(profile));
    }

    public static byte[] canonicalBytes(SandboxProfile profile) {
        ObjectNode tree = CanonicalJson.mapper().valueToTree(profile);
        tree.remove("description");
        return CanonicalJson.bytes(tree);
    }
}
