package io.jenkins.plugins.agentgate.core.egress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which resolved addresses an allowed <em>name</em> may lead to. A name on the allowlist must not become a way
 * into the host or its network (DNS pointing at 127.0.0.1, 169.254.169.254 or a private range), so unless the
 * run allows private addresses only public unicast addresses are connected to. An IP literal that the policy
 * lists literally is the admin's explicit choice and is not subject to this guard.
 */
final class AddressGuard {
    private AddressGuard() {}

    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return !(b0 == 0 // this network
                    || (b0 == 100 && (b1 & 0xc0) == 64) // 100.64.0.0/10 carrier-grade NAT
                    || (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 protocol assignments
                    || (b0 == 198 && (b1 & 0xfe) == 18) // 198.18.0.0/15 benchmarking
                    || b0 >= 240); // reserved and broadcast
        }
        if (a instanceof Inet6Address) {
            int b0 = b[0] & 0xff;
            return !((b0 & 0xfe) == 0xfc // fc00::/7 unique local
                    || (b0 == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) // 2001:db8::/32
                    || isEmbeddedV4(b)); // ::a.b.c.d and ::ffff:a.b.c.d carry an IPv4 address we would not vet
        }
        return false;
    }

    private static boolean isEmbeddedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff);
    }
}
