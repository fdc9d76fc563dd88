package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.approval.ApprovalEngine;
import io.jenkins.plugins.agentgate.core.approval.ApprovalRequest;
import io.jenkins.plugins.agentgate.core.approval.ApprovalState;
import io.jenkins.plugins.agentgate.core.approval.DecisionKind;
import io.jenkins.plugins.agentgate.core.approval.Ledger;
import io.jenkins.plugins.agentgate.core.approval.LedgerEntry;
import io.jenkins.plugins.agentgate.core.approval.RequestFile;
import io.jenkins.plugins.agentgate.core.approval.TaskFacts;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.ProfileRef;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApproveCommandTest {
    private static final String CATALOG = """
            apiVersion: agentgate/v1
            profiles:
              - id: delivery-team
                approval:
                  mode: owner
                  approvers:
                    users: [alice]
                    groups: [release]
              - id: privileged-team
                approval:
                  mode: dual
                  approvers:
                    users: [alice, bob]
                    groups: [sre, security]
                  expiry: 4h
            classes:
              delivery: delivery-team
              privileged: privileged-team
            """;

    @TempDir
    Path dir;
    Path catalog;
    Path requestFile;
    ApprovalRequest request;

    record Result(int code, String out, String err) {}

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--catalog");
        all.add(catalog.toString());
        int code = AgentGateCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeEach
    void writeRequest() throws Exception {
        catalog = Files.writeString(dir.resolve("catalog.yaml"), CATALOG);
        request = request(ExecutionClass.PRIVILEGED);
        requestFile = dir.resolve("approval-request.json");
        RequestFile.write(requestFile, request);
    }

    private static ApprovalRequest request(ExecutionClass c) {
        return new ApprovalRequest(c, new ProfileRef(c.id() + "-team", 1, "sha256:" + "c".repeat(64)),
                ApprovalRequest.promptHashOf("rotate the staging password"), null,
                List.of(new CredentialGrant("db-admin", Duration.ofMinutes(10), InjectionMode.FILE)),
                "rotate the staging DB password", "carol", Instant.parse("2026-11-25T10:00:00Z"));
    }

    @Test
    void showsWhatIsApprovedBeforeRecording() {
        Result r = run("approve", requestFile.toString(), "--as", "alice", "--comment", "checked the scopes");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("request:      " + request.digest())
                .contains("class:        privileged (approval rule of privileged-team: dual)")
                .contains("profile:      privileged-team (version 1)")
                .contains("policy hash:  sha256:" + "c".repeat(64))
                .contains("prompt hash:  " + request.promptHash())
                .contains("diff digest:  none (approval before the run)")
                .contains("credentials:  db-admin (file, 10m)")
                .contains("action:       rotate the staging DB password")
                .contains("requester:    carol")
                .contains("recorded:     approve by alice")
                .contains("status:       pending: needs 1 more approval from distinct approvers");
        assertThat(r.out().indexOf("action:")).isLessThan(r.out().indexOf("recorded:"));
    }

    @Test
    void twoApproversApproveAndTheRunSideSeesIt() throws Exception {
        assertThat(run("approve", requestFile.toString(), "--as", "alice").code()).isZero();
        Result second = run("approve", requestFile.toString(), "--as", "dave", "--groups", "sre,oncall");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("status:       approved: approved by alice and dave");

        // what the run does: read the default ledger next to the request file and evaluate
        Path ledger = dir.resolve("approval-request.ledger.json");
        List<LedgerEntry> entries = Ledger.read(ledger);
        assertThat(entries).extracting(LedgerEntry::identity).containsExactly("alice", "dave");
        assertThat(entries.get(1).groups()).containsExactly("oncall", "sre");
        assertThat(entries).allSatisfy(e -> assertThat(e.requestDigest()).isEqualTo(request.digest()));
        ProfileCatalog cat = CatalogParser.load(catalog);
        var status = ApprovalEngine.LOCAL.evaluate(cat.profileFor(ExecutionClass.PRIVILEGED).orElseThrow().approval(),
                cat.templates(), RequestFile.read(requestFile), TaskFacts.none(), entries, Instant.now());
        assertThat(status.state()).isEqualTo(ApprovalState.APPROVED);
    }

    @Test
    void selfApprovalIsRefusedAndNothingIsRecorded() {
        Result r = run("approve", requestFile.toString(), "--as", "Carol", "--groups", "sre");
        assertThat(r.code()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        assertThat(r.err()).contains("refused, nothing recorded: Carol requested this run and cannot approve it");
        assertThat(Files.exists(dir.resolve("approval-request.ledger.json"))).isFalse();
    }

    @Test
    void theSamePersonTwiceIsRefused() {
        assertThat(run("approve", requestFile.toString(), "--as", "alice").code()).isZero();
        Result r = run("approve", requestFile.toString(), "--as", "ALICE", "--groups", "sre");
        assertThat(r.code()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        assertThat(r.err()).contains("already approved").contains("the same person counts once");
    }

    @Test
    void anUnknownUserIsRefused() {
        Result r = run("approve", requestFile.toString(), "--as", "mallory", "--groups", "developers");
        assertThat(r.code()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        assertThat(r.err()).contains("mallory is not in the approver set {users: alice, bob; groups: security, sre}");
    }

    @Test
    void bypassWhereTheProfileDoesNotAllowItIsRefused() {
        Result r = run("approve", requestFile.toString(), "--as", "root", "--bypass", "--comment", "incident");
        assertThat(r.code()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        assertThat(r.err()).contains("administrator bypass is not allowed");
    }

    @Test
    void aRejectionIsRecordedToAnExplicitLedgerAndRefusesTheRequest() throws Exception {
        Path ledger = dir.resolve("elsewhere/ledger.json");
        assertThat(run("approve", requestFile.toString(), "--as", "alice", "--ledger", ledger.toString()).code()).isZero();
        Result r = run("approve", requestFile.toString(), "--as", "bob", "--reject", "--comment", "wrong database",
                "--ledger", ledger.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("recorded:     reject by bob").contains("status:       rejected: rejected by bob")
                .contains("wrong database");
        assertThat(Ledger.read(ledger)).extracting(LedgerEntry::decision).containsExactly(DecisionKind.APPROVE, DecisionKind.REJECT);
    }

    @Test
    void showRecordsNothing() {
        Result r = run("approve", requestFile.toString(), "--show");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("status:       pending: needs 2 more approvals");
        assertThat(Files.exists(dir.resolve("approval-request.ledger.json"))).isFalse();
    }

    @Test
    void anApprovalOfAnEarlierVersionShowsAsStale() throws Exception {
        assertThat(run("approve", requestFile.toString(), "--as", "alice").code()).isZero();
        ApprovalRequest changed = new ApprovalRequest(request.executionClass(), request.profile(), request.promptHash(),
                "sha256:" + "d".repeat(64), request.credentials(), request.action(), request.requester(), request.createdAt());
        RequestFile.write(requestFile, changed);
        Result r = run("approve", requestFile.toString(), "--show");
        assertThat(r.out()).contains("status:       stale: the request changed after it was decided on");
    }

    @Test
    void badInputIsAUsageError() throws Exception {
        Result missing = run("approve", dir.resolve("nope.json").toString(), "--as", "alice");
        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("does not exist");

        Result noAs = run("approve", requestFile.toString());
        assertThat(noAs.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noAs.err()).contains("--as is missing");

        Result both = run("approve", requestFile.toString(), "--as", "alice", "--reject", "--bypass");
        assertThat(both.code()).isEqualTo(ExitCodes.USAGE);

        Files.writeString(requestFile, Files.readString(requestFile).replace("rotate the staging DB password", "drop prod"));
        Result edited = run("approve", requestFile.toString(), "--as", "alice");
        assertThat(edited.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(edited.err()).contains(requestFile + ":0: digest:").contains("changed after it was written");
    }

    @Test
    void aRequestWrittenForALedgerIsApprovedIntoThatLedger() throws Exception {
        Path ledger = dir.resolve("approvals.json");
        Path f = RequestFile.forLedger(ledger); // what 'agentgate run --approvals approvals.json' writes
        RequestFile.write(f, request);
        Result r = run("approve", f.toString(), "--as", "alice");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("ledger:       " + ledger);
        assertThat(Ledger.read(ledger)).extracting(LedgerEntry::identity).containsExactly("alice");
    }

    @Test
    void deliveryNeedsOneOwner() throws Exception {
        ApprovalRequest d = request(ExecutionClass.DELIVERY);
        Path f = dir.resolve("delivery.json");
        RequestFile.write(f, d);
        Result r = run("approve", f.toString(), "--as", "erin", "--groups", "release");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("status:       approved: approved by erin");
        assertThat(Files.exists(dir.resolve("delivery.ledger.json"))).isTrue();
    }
}
