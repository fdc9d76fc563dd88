package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressGuardTest {
    static boolean pub(String literal) throws Exception {
        return AddressGuard.isPublic(InetAddress.getByName(literal));
    }

    @Test
    void onlyPublicUnicastAddressesPass() throws Exception {
        for (String nonPublic : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.0.8", "::1", "::",
                "fe80::1", "fd00::1", "ff02::1", "2001:db8::1", "::ffff:127.0.0.1", "::127.0.0.1"}) {
            assertThat(pub(nonPublic)).as(nonPublic).isFalse();
        }
        for (String p : new String[] {"93.184.216.34", "1.1.1.1", "2606:4700::1111", "172.32.0.1", "100.128.0.1"}) {
            assertThat(pub(p)).as(p).isTrue();
        }
    }
}
