package io.jenkins.plugins.agentgate.cli;

import io.jenkins.plugins.agentgate.core.approval.ApprovalEngine;
import io.jenkins.plugins.agentgate.core.approval.ApprovalFileException;
import io.jenkins.plugins.agentgate.core.approval.ApprovalRecord;
import io.jenkins.plugins.agentgate.core.approval.ApprovalRequest;
import io.jenkins.plugins.agentgate.core.approval.ApprovalStatus;
import io.jenkins.plugins.agentgate.core.approval.DecisionKind;
import io.jenkins.plugins.agentgate.core.approval.Ledger;
import io.jenkins.plugins.agentgate.core.approval.LedgerEntry;
import io.jenkins.plugins.agentgate.core.approval.RequestFile;
import io.jenkins.plugins.agentgate.core.approval.TaskFacts;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import io.jenkins.plugins.agentgate.core.profile.Values;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code agentgate approve}: shows a person exactly what an approval request asks for, then records their decision,
 * bound to the request's digest, in the ledger the run reads. Locally, identities are what the person asserts:
 * the ledger is as trustworthy as the file permissions that protect it (the Jenkins front authenticates instead).
 */
@Command(name = "approve", mixinStandardHelpOptions = true,
        description = {"Show an approval request and record an approval, a rejection or an administrator bypass.",
                "Exit 0 when recorded (or shown), 2 on a bad request, ledger or catalog file, 4 when the decision is refused."})
final class ApproveCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "REQUEST_FILE", description = "The approval request 'agentgate run' wrote.")
    Path requestFile;

    @Option(names = "--as", paramLabel = "USER", description = "Who decides (required unless --show).")
    String as;

    @Option(names = "--groups", paramLabel = "G1,G2", split = ",", description = "Groups the deciding user belongs to.")
    List<String> groups = new ArrayList<>();

    @Option(names = "--reject", description = "Record a rejection instead of an approval.")
    boolean reject;

    @Option(names = "--bypass", description = "Record an administrator bypass (counts only where the profile allows it).")
    boolean bypass;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded with the decision and in the evidence.")
    String comment = "";

    @Option(names = "--ledger", paramLabel = "FILE",
            description = "Ledger to append to (default: X.json for X.request.json, else NAME.ledger.json next to NAME.json).")
    Path ledger;

    @Option(names = "--show", description = "Only show the request and its current status; record nothing.")
    boolean show;

    @Mixin
    CatalogOption catalog;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (reject && bypass) {
            err.println("agentgate: --reject and --bypass exclude each other; expected at most one of them");
            return ExitCodes.USAGE;
        }
        if (!show && (as == null || as.isBlank())) {
            err.println("agentgate: --as is missing; expected the id of the user who decides (or --show to only look)");
            return ExitCodes.USAGE;
        }
        ApprovalRequest request;
        List<LedgerEntry> entries;
        Path ledgerFile = ledger != null ? ledger : RequestFile.defaultLedger(requestFile);
        try {
            request = RequestFile.read(requestFile);
            entries = Ledger.read(ledgerFile);
        } catch (ApprovalFileException e) {
            err.println(e.problem().format());
            return ExitCodes.USAGE;
        } catch (NoSuchFileException e) {
            err.println("agentgate: request file '" + e.getFile() + "' does not exist; expected the file 'agentgate run' wrote");
            return ExitCodes.USAGE;
        } catch (IOException e) {
            err.println("agentgate: cannot read " + requestFile + " or " + ledgerFile + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        ApprovalRule rule;
        ProfileCatalog cat = catalog.loadOrReport(err);
        if (cat == null) {
            return ExitCodes.USAGE;
        }
        SandboxProfile classProfile = cat.profileFor(request.executionClass()).orElse(null);
        if (classProfile == null) {
            err.println("agentgate: class " + request.executionClass().id() + " has no profile in " + cat.source()
                    + "; expected the catalog the run used (--catalog or $AGENTGATE_CATALOG)");
            return ExitCodes.USAGE;
        }
        rule = classProfile.approval();

        show(out, request, ledgerFile, classProfile);
        ApprovalEngine engine = ApprovalEngine.LOCAL;
        Instant now = Instant.now();
        if (show) {
            status(out, engine.evaluate(rule, cat.templates(), request, TaskFacts.none(), entries, now));
            return ExitCodes.OK;
        }

        DecisionKind kind = reject ? DecisionKind.REJECT : bypass ? DecisionKind.BYPASS : DecisionKind.APPROVE;
        LedgerEntry entry;
        try {
            entry = new LedgerEntry(kind, as.trim(), groups, bypass, now, request.digest(), comment);
        } catch (IllegalArgumentException e) {
            err.println("agentgate: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        String refusal = engine.refusal(rule, request, entry, now);
        if (refusal == null) {
            // the same person twice, or an expiry, need the whole ledger: evaluate as if recorded
            List<LedgerEntry> with = new ArrayList<>(entries);
            with.add(entry);
            refusal = engine.evaluate(rule, cat.templates(), request, TaskFacts.none(), with, now).records().stream()
                    .filter(r -> r.at().equals(now) && r.identity().equals(entry.identity()))
                    .filter(r -> !r.counted()).map(ApprovalRecord::reason).findFirst().orElse(null);
        }
        if (refusal != null) {
            err.println("agentgate: refused, nothing recorded: " + refusal);
            return ExitCodes.APPROVAL_MISSING;
        }
        try {
            Ledger.append(ledgerFile, entry);
        } catch (IOException e) {
            err.println("agentgate: cannot record in " + ledgerFile + ": " + e.getMessage());
            return ExitCodes.RUNTIME_ERROR;
        }
        out.println("recorded:     " + kind.id() + " by " + entry.identity() + " at " + now + " in " + ledgerFile);
        List<LedgerEntry> all = new ArrayList<>(entries);
        all.add(entry);
        status(out, engine.evaluate(rule, cat.templates(), request, TaskFacts.none(), all, now));
        return ExitCodes.OK;
    }

    private static void show(PrintWriter out, ApprovalRequest r, Path ledgerFile, SandboxProfile classProfile) {
        out.println("request:      " + r.digest());
        out.println("class:        " + r.executionClass().id() + " (approval rule of " + classProfile.id() + ": "
                + classProfile.approval().mode().id() + ")");
        out.println("profile:      " + r.profile().id() + " (version " + r.profile().version() + ")");
        out.println("policy hash:  " + r.profile().hash());
        out.println("prompt hash:  " + r.promptHash());
        out.println("diff digest:  " + (r.diffDigest() == null ? "none (approval before the run)" : r.diffDigest()));
        out.println("credentials:  " + (r.credentials().isEmpty() ? "none" : r.credentials().stream()
                .map(ApproveCommand::scope).collect(Collectors.joining(", "))));
        out.println("action:       " + r.action());
        out.println("requester:    " + r.requester() + " (at " + r.createdAt() + ")");
        out.println("ledger:       " + ledgerFile);
    }

    private static String scope(CredentialGrant g) {
        return g.id() + " (" + (g.mode() == null ? "?" : g.mode().id()) + ", " + (g.ttl() == null ? "?" : Values.format(g.ttl())) + ")";
    }

    private static void status(PrintWriter out, ApprovalStatus s) {
        out.println("status:       " + s.state().id() + ": " + s.message());
    }
}
