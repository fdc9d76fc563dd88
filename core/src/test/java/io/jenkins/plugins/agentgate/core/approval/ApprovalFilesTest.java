package io.jenkins.plugins.agentgate.core.approval;

import static io.jenkins.plugins.agentgate.core.approval.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApprovalFilesTest {
    @TempDir
    Path dir;

    private final ApprovalRequest request = Fixtures.request(ExecutionClass.PRIVILEGED, "carol");

    @Test
    void theDigestIgnoresCreationTimeAndCredentialOrderButNothingElse() {
        ApprovalRequest later = new ApprovalRequest(request.executionClass(), request.profile(), request.promptHash(),
                request.diffDigest(), request.credentials(), request.action(), request.requester(), T0.plusSeconds(3600));
        assertThat(later.digest()).isEqualTo(request.digest());
        List<CredentialGrant> two = List.of(new CredentialGrant("b", Duration.ofMinutes(5), InjectionMode.ENV),
                new CredentialGrant("a", Duration.ofMinutes(5), InjectionMode.ENV));
        assertThat(with(two, request.action(), request.requester()).digest())
                .isEqualTo(with(List.of(two.get(1), two.get(0)), request.action(), request.requester()).digest());
        assertThat(with(request.credentials(), request.action() + ".", request.requester()).digest()).isNotEqualTo(request.digest());
        assertThat(with(request.credentials(), request.action(), "dave").digest()).isNotEqualTo(request.digest());
        assertThat(with(List.of(new CredentialGrant("db-admin", Duration.ofMinutes(11), InjectionMode.FILE)), request.action(),
                request.requester()).digest()).isNotEqualTo(request.digest());
        assertThat(request.digest()).matches("sha256:[0-9a-f]{64}");
    }

    private ApprovalRequest with(List<CredentialGrant> creds, String action, String requester) {
        return new ApprovalRequest(request.executionClass(), request.profile(), request.promptHash(), request.diffDigest(),
                creds, action, requester, request.createdAt());
    }

    @Test
    void badRequestFieldsAreRefusedWithFieldValueAndExpectation() {
        assertThatThrownBy(() -> new ApprovalRequest(ExecutionClass.DRAFT, request.profile(), "md5:abc", null, List.of(), "",
                "carol", T0)).hasMessage("promptHash 'md5:abc' is not valid; expected sha256:<64 lower-case hex digits>");
        assertThatThrownBy(() -> new ApprovalRequest(ExecutionClass.DRAFT, request.profile(), request.promptHash(), null,
                List.of(), "", " ", T0)).hasMessageContaining("requester is missing");
    }

    @Test
    void requestFileRoundTrip() throws Exception {
        Path f = dir.resolve("approval-request.json");
        RequestFile.write(f, request);
        assertThat(RequestFile.read(f)).isEqualTo(request);
        String json = Files.readString(f);
        assertThat(json).contains("\"kind\" : \"ApprovalRequest\"").contains("\"digest\" : \"" + request.digest() + "\"")
                .contains("\"apiVersion\" : \"agentgate/v1\"");
        assertThat(RequestFile.defaultLedger(f)).isEqualTo(dir.resolve("approval-request.ledger.json"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("approval-request.json"); // no temp left
        }
    }

    @Test
    void requestAndLedgerNamesPairUpBothWays() {
        for (String ledger : List.of("approvals.json", "a.ledger.json", "deep.name.json")) {
            Path l = dir.resolve(ledger);
            assertThat(RequestFile.defaultLedger(RequestFile.forLedger(l))).as(ledger).isEqualTo(l);
        }
        for (String request : List.of("approval-request.json", "r.request.json")) {
            Path r = dir.resolve(request);
            assertThat(RequestFile.forLedger(RequestFile.defaultLedger(r))).as(request).isEqualTo(r);
        }
        assertThat(RequestFile.forLedger(dir.resolve("approvals.json"))).isEqualTo(dir.resolve("approvals.request.json"));
    }

    @Test
    void anEditedRequestFileIsRefused() throws Exception {
        Path f = dir.resolve("r.json");
        RequestFile.write(f, request);
        Files.writeString(f, Files.readString(f).replace("rotate the staging DB password", "drop the production DB"));
        assertThatThrownBy(() -> RequestFile.read(f)).isInstanceOf(ApprovalFileException.class)
                .hasMessageContaining(f + ":0: digest: '" + request.digest() + "' is not valid")
                .hasMessageContaining("the file was changed after it was written");
    }

    @Test
    void aMalformedRequestFileNamesFileLineAndField() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\n \"apiVersion\": \"agentgate/v1\",\n \"kind\": \"ApprovalRequest\",\n \"digest\": \"x\",\n"
                + " \"request\": {\"executionClass\": \"hyper\"}\n}\n");
        assertThatThrownBy(() -> RequestFile.read(f)).isInstanceOf(ApprovalFileException.class)
                .hasMessageStartingWith(f + ":5: request.executionClass: ")
                .hasMessageContaining("hyper");
        Files.writeString(f, "{\"apiVersion\": \"agentgate/v1\", \"kind\": \"ApprovalLedger\", \"digest\": null, \"request\": null}");
        assertThatThrownBy(() -> RequestFile.read(f)).hasMessageContaining("kind: 'ApprovalLedger' is not valid; expected ApprovalRequest");
        Files.writeString(f, "{\"apiVersion\": ");
        assertThatThrownBy(() -> RequestFile.read(f)).hasMessageContaining("(syntax)");
    }

    @Test
    void aMissingLedgerIsEmptyAndAppendsRoundTrip() throws Exception {
        Path f = dir.resolve("sub/ledger.json");
        assertThat(Ledger.read(f)).isEmpty();
        LedgerEntry a = Fixtures.approve(request, "alice", T0, "sre");
        LedgerEntry b = Fixtures.reject(request, "bob", T0.plusSeconds(1), "wrong window", "security");
        Ledger.append(f, a);
        Ledger.append(f, b);
        assertThat(Ledger.read(f)).containsExactly(a, b);
        assertThat(Files.readString(f)).contains("\"decision\" : \"approve\"").contains("\"kind\" : \"ApprovalLedger\"");
    }

    @Test
    void aLedgerEntryWithABadDigestIsRefusedWithItsPlace() throws Exception {
        Path f = dir.resolve("ledger.json");
        Files.writeString(f, """
                {"apiVersion": "agentgate/v1", "kind": "ApprovalLedger", "entries": [
                  {"decision": "approve", "identity": "alice", "groups": [], "admin": false,
                   "at": "2026-11-25T10:00:00Z", "requestDigest": "sha1:abc", "comment": ""}
                ]}
                """);
        assertThatThrownBy(() -> Ledger.read(f)).isInstanceOf(ApprovalFileException.class)
                .hasMessageContaining("entries[0]").hasMessageContaining("sha1:abc")
                .hasMessageContaining("expected an approval ledger file as documented in docs/approvals.md");
    }

    @Test
    void aSymbolicLinkIsNotReadAsALedger() throws Exception {
        Path target = dir.resolve("real.json");
        Ledger.append(target, Fixtures.approve(request, "alice", T0));
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), target);
        assertThatThrownBy(() -> Ledger.read(link)).hasMessageContaining("not a symbolic link");
    }

    @Test
    void concurrentAppendsLoseNothing() throws Exception {
        Path f = dir.resolve("ledger.json");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                LedgerEntry e = Fixtures.approve(request, "user" + i, T0.plusSeconds(i));
                futures.add(pool.submit(() -> {
                    Ledger.append(f, e);
                    return null;
                }));
            }
            for (Future<?> fu : futures) {
                fu.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Ledger.read(f)).hasSize(40);
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)).endsWith("}\n");
    }
}
