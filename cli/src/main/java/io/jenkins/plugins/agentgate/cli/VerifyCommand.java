package io.jenkins.plugins.agentgate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.evidence.BundleVerifier;
import io.jenkins.plugins.agentgate.core.evidence.PemKeys;
import io.jenkins.plugins.agentgate.core.evidence.VerificationReport;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.profile.CatalogException;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentgate verify BUNDLE}: checks an evidence bundle offline. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify an evidence bundle offline: the DSSE signature, every subject digest, the record's "
                + "schema and completeness and, with --catalog, that the policy hash still matches the current profile.",
                "Exit 0 when valid, 5 when not (with every reason), 2 on a usage error."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE", description = "The bundle directory (EVIDENCE_DIR/RUN_ID).")
    Path bundle;

    @Option(names = "--key", paramLabel = "PUBKEY.pem",
            description = "The signer's public key (PEM, Ed25519 or ECDSA P-256). Without it the signature is checked "
                    + "with the key stored in the bundle, which proves integrity but not who signed.")
    Path key;

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "Profile catalog YAML: also check that the recorded policy hash matches its current profile.")
    Path catalog;

    @Option(names = "--json", description = "Machine-readable report.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PublicKey pinned = null;
        if (key != null) {
            try {
                pinned = PemKeys.readPublic(key);
            } catch (IOException e) {
                err.println("agentgate: --key: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        ProfileCatalog cat = null;
        if (catalog != null) {
            if (!Files.isRegularFile(catalog)) {
                err.println("agentgate: --catalog: '" + catalog + "' does not exist or is not a regular file; "
                        + "expected a catalog YAML file");
                return ExitCodes.USAGE;
            }
            try {
                cat = CatalogParser.load(catalog);
            } catch (CatalogException e) {
                e.problems().forEach(p -> err.println(p.format()));
                return ExitCodes.USAGE;
            } catch (IOException e) {
                err.println("agentgate: --catalog: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        VerificationReport r = BundleVerifier.verify(bundle, pinned, cat);
        if (json) {
            ObjectNode node = CanonicalJson.mapper().valueToTree(r);
            node.put("bundle", bundle.toString());
            out.println(CanonicalJson.pretty(node));
        } else {
            out.println("bundle:   " + bundle);
            out.println("run:      " + (r.runId() == null ? "?" : r.runId()) + " (" + (r.outcome() == null ? "?" : r.outcome()) + ")");
            out.println("signed:   " + (r.signed() ? "yes, by " + r.keyId() : "no"));
            out.println(r.valid() ? "VALID" : "INVALID");
            r.checks().forEach(c -> out.println("  ok       " + c));
            r.warnings().forEach(w -> out.println("  warning  " + w));
            r.problems().forEach(p -> out.println("  FAILED   " + p));
            if (!r.valid()) {
                err.println("agentgate: bundle '" + bundle + "' is not valid: " + r.problems().get(0)
                        + (r.problems().size() > 1 ? " (and " + (r.problems().size() - 1) + " more)" : ""));
            }
        }
        return r.valid() ? ExitCodes.OK : ExitCodes.VERIFICATION_FAILED;
    }
}
