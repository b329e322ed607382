package io.prestoorchestrator.sim.consul;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestAcl
{
    private static final String TOKEN = "3c9f2a55-0b3f-4a1e-9d0c-6d0b1f5e2a11";
    private static final String DENIED_PREFIX = "Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission ";

    private static ConsulSimulator simulator;
    private static ConsulHttp anonymous;
    private static ConsulHttp management;
    private static ConsulHttp wrong;

    @BeforeAll
    static void start()
    {
        simulator = ConsulSimulator.builder().port(0).nodeName("acl-node").aclToken(TOKEN).build().startAndWait();
        anonymous = new ConsulHttp(simulator.baseUri());
        management = anonymous.withToken(TOKEN);
        wrong = anonymous.withToken("not-the-token");
        management.put("/v1/agent/service/register", "{\"ID\": \"secret-1\", \"Name\": \"secret\", \"Port\": 1}");
        management.put("/v1/kv/secret", "value");
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
    }

    @Test
    void managementTokenMayDoEverything()
    {
        assertThat(management.get("/v1/catalog/services").json().containsKey("secret")).isTrue();
        assertThat(management.get("/v1/kv/secret?raw").body()).isEqualTo("value");
        assertThat(management.get("/v1/agent/self").status()).isEqualTo(200);
        assertThat(anonymous.get("/v1/kv/secret?raw&token=" + TOKEN).body()).isEqualTo("value");
        assertThat(anonymous.get("/v1/kv/secret?raw", "Authorization", "Bearer " + TOKEN).body()).isEqualTo("value");
        assertThat(management.get("/v1/catalog/services").header("X-Consul-Default-ACL-Policy")).contains("deny");
    }

    @Test
    void anonymousWritesAreDenied()
    {
        ConsulHttp.Response register = anonymous.put("/v1/agent/service/register", "{\"Name\": \"intruder\", \"Port\": 1}");
        assertThat(register.status()).isEqualTo(403);
        assertThat(register.body()).isEqualTo(DENIED_PREFIX + "'service:write' on \"intruder\"");
        ConsulHttp.Response kv = anonymous.put("/v1/kv/secret", "overwrite");
        assertThat(kv.status()).isEqualTo(403);
        assertThat(kv.body()).isEqualTo(DENIED_PREFIX + "'key:write' on \"secret\"");
        assertThat(anonymous.put("/v1/session/create", "{}").status()).isEqualTo(403);
        assertThat(management.get("/v1/kv/secret?raw").body()).isEqualTo("value");
        assertThat(management.get("/v1/catalog/services").json().containsKey("intruder")).isFalse();
    }

    @Test
    void anonymousReadsAreFilteredOrDenied()
    {
        ConsulHttp.Response services = anonymous.get("/v1/catalog/services");
        assertThat(services.status()).isEqualTo(200);
        assertThat(services.json().isEmpty()).isTrue();
        assertThat(anonymous.get("/v1/health/service/secret").jsonArray()).isEmpty();
        assertThat(anonymous.get("/v1/agent/services").json().isEmpty()).isTrue();
        ConsulHttp.Response kv = anonymous.get("/v1/kv/secret");
        assertThat(kv.status()).isEqualTo(403);
        assertThat(kv.body()).isEqualTo(DENIED_PREFIX + "'key:read' on \"secret\"");
        ConsulHttp.Response self = anonymous.get("/v1/agent/self");
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.body()).isEqualTo(DENIED_PREFIX + "'agent:read' on \"acl-node\"");
    }

    @Test
    void unknownTokenIsAclNotFound()
    {
        for (ConsulHttp.Response response : java.util.List.of(
                wrong.get("/v1/catalog/services"),
                wrong.get("/v1/kv/secret"),
                wrong.put("/v1/agent/service/register", "{\"Name\": \"x\", \"Port\": 1}"),
                wrong.get("/v1/agent/services"),
                wrong.put("/v1/session/create", "{}"))) {
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.body()).isEqualTo("ACL not found");
        }
    }

    @Test
    void statusEndpointsNeedNoToken()
    {
        assertThat(anonymous.get("/v1/status/leader").status()).isEqualTo(200);
        assertThat(wrong.get("/v1/status/leader").status()).isEqualTo(200);
        assertThat(anonymous.get("/v1/status/peers").status()).isEqualTo(200);
    }
}
