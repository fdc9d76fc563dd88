package io.jenkins.plugins.agentgate.core.egress;

import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A JVM that starts an egress proxy (and so its pump), prints the pump's pid and waits to be killed: EgressPumpTest
 * kills it with SIGKILL and checks that the pump dies with it.
 */
public final class PumpHost {
    public static void main(String[] args) throws Exception {
        NetworkPolicy policy = new NetworkPolicy(NetworkMode.ALLOWLIST, List.of("api.allowed.test:1"), List.of());
        EgressProxy proxy = EgressProxy.start(new EgressConfig("pump-host", policy, EgressLimits.forRun(Duration.ofMinutes(1)),
                EgressProxyTest.testResolver(), true, Path.of(args[0]), EgressConfig.DEFAULT_RELAY_PORT,
                RelayBinary.bundled(), null));
        System.out.println("pump " + proxy.pumpPid());
        System.out.flush();
        Thread.sleep(60_000); // bounded: the test kills this JVM long before
        proxy.close();
    }
}
