import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CelInput, run } from "@bufbuild/cel";
import * as pulumi from "@pulumi/pulumi";
import { AppService } from "../../../../components/app/service";
import { shutdown } from "../../../../components/app/shutdown";
import {
    MAX_TENANT_PATHS,
    TENANT_SERVICE_RULES,
    tenantIngressRules,
} from "../../../../components/platform/tenantingress";
import { builtAlone, inputs, one } from "../../../helpers";

// What the rules decide, evaluated by a CEL interpreter (@bufbuild/cel, with RE2 for `matches` as the
// API server's cel-go has) on the objects the API server binds: `object` and `namespaceObject`. The
// e2e asks the real API server the same questions (test/e2e/entrypolicy.sh); here each rule's verdict
// and message are checked on every build of the suite.

/** JSON as CEL sees a Kubernetes object: objects as maps, whole numbers as ints. */
const asCel = (value: unknown): CelInput =>
    Array.isArray(value)
        ? value.map(asCel)
        : value !== null && typeof value === "object"
          ? new Map(Object.entries(value).map(([k, v]) => [k, asCel(v)]))
          : typeof value === "number"
            ? BigInt(value)
            : (value as CelInput);

/** The messages the rules refuse OBJECT with, in the order of the rules; none when it is admitted. */
function refusals(
    rules: { expression: string; messageExpression: string }[],
    object: object,
    namespace: object,
) {
    const bound = { object: asCel(object), namespaceObject: asCel(namespace) };
    // An expression that cannot be evaluated refuses too: the policies fail closed.
    return rules.filter((r) => run(r.expression, bound) !== true).map((r) => run(r.messageExpression, bound));
}

const HOST = "api.dev.shop.io";
/** A tenant's namespace as the platform lends it its host on the shared entry (Tenant). */
const lent = (changes: object = {}) =>
    merged(
        {
            metadata: {
                name: "api",
                labels: { "flask-eks/entry": "shared" },
                annotations: { "flask-eks/host": HOST },
            },
        },
        changes,
    );
const path = (backend: object = { service: { name: "api", port: { name: "http" } } }) => ({
    path: "/",
    pathType: "Prefix",
    backend,
});
/** An Ingress of the shared class for the namespace's host, CHANGES merged in (null removes a key). */
const probe = (changes: object = {}) =>
    merged(
        {
            metadata: { name: "probe" },
            spec: { ingressClassName: "shared", rules: [{ host: HOST, http: { paths: [path()] } }] },
        },
        changes,
    );
function merged(into: any, changes: any): any {
    const out = { ...into };
    for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete out[key];
        else if (typeof value === "object" && !Array.isArray(value) && typeof out[key] === "object")
            out[key] = merged(out[key], value);
        else out[key] = value;
    }
    return out;
}
const alb = (name: string, value: string) => ({
    metadata: { annotations: { [`alb.ingress.kubernetes.io/${name}`]: value } },
});

const SAYS = {
    ownNlb: "namespace api has an NLB of its own, not the shared entry: its tenant needs entry shared on the platform for an Ingress",
    sharedClass: "spec.ingressClassName must be shared, the platform's shared ALB",
    host: `every rule needs the host this namespace is lent, ${HOST}`,
    paths: "every rule routes at most 5 paths, each to a Service",
    platformOwn: "spec.defaultBackend and spec.tls are the platform's: the shared ALB has one of each",
    annotations:
        "of the ALB's annotations only healthcheck-path, healthcheck-interval-seconds, healthcheck-timeout-seconds, healthy-threshold-count, unhealthy-threshold-count, success-codes, target-group-attributes, with values the ELB API takes: the rest shape every app's ALB",
    timeout: "the health check's timeout must be shorter than its interval (defaults 5 s and 15 s)",
};

describe("TenantIngresses' rules, as the API server evaluates them", () => {
    const rules = tenantIngressRules("shared");
    const refused = (ingress: object, namespace: object = lent()) => refusals(rules, ingress, namespace);

    it("admit the app's own Ingress, each annotation AppService sets with its value", async () => {
        const run = await builtAlone(() => {
            new AppService("service", {
                name: "api",
                namespace: pulumi.output("api"),
                labels: {},
                selector: {},
                targetPort: "http",
                sourceRanges: [],
                shutdown: shutdown(true),
                eks: {
                    loadBalancerSubnetIds: [],
                    crossZone: true,
                    sharedEntry: { className: "shared", host: HOST },
                },
            });
        });
        const ingress = inputs(one(run, "kubernetes:networking.k8s.io/v1:Ingress"));
        assert.ok(Object.keys(ingress.metadata.annotations).length > 0);
        assert.deepEqual(refused(ingress), []);
        // An annotation that is not the ALB's is the tenant's own business.
        assert.deepEqual(refused(probe({ metadata: { annotations: { "example.com/owner": "shop" } } })), []);
    });

    it("refuse an Ingress outside the shared entry, of another class, or for another host", () => {
        assert.deepEqual(refused(probe(), lent({ metadata: { labels: { "flask-eks/entry": "own" } } })), [
            SAYS.ownNlb,
        ]);
        assert.deepEqual(refused(probe(), lent({ metadata: { labels: null } })), [SAYS.ownNlb]);
        assert.deepEqual(refused(probe({ spec: { ingressClassName: "alb" } })), [SAYS.sharedClass]);
        assert.deepEqual(refused(probe({ spec: { ingressClassName: null } })), [SAYS.sharedClass]);
        const rulesFor = (...rules: object[]) => probe({ spec: { rules } });
        assert.deepEqual(refused(rulesFor({ host: "web.dev.shop.io", http: { paths: [path()] } })), [
            SAYS.host,
        ]);
        // A rule with no host matches every host; an Ingress with no rule routes nothing of its own.
        assert.deepEqual(refused(rulesFor({ http: { paths: [path()] } })), [SAYS.host]);
        assert.deepEqual(refused(probe({ spec: { rules: null } })), [SAYS.host]);
        assert.deepEqual(refused(rulesFor()), [SAYS.host]);
        // A namespace the platform lent no host has none to claim.
        assert.deepEqual(refused(probe(), lent({ metadata: { annotations: null } })), [
            "every rule needs the host this namespace is lent, none",
        ]);
        assert.deepEqual(
            refused(probe(), lent({ metadata: { annotations: { "flask-eks/host": "web.dev.shop.io" } } })),
            ["every rule needs the host this namespace is lent, web.dev.shop.io"],
        );
    });

    it("refuse more paths than the limit, a backend that is not a Service, a default backend and TLS", () => {
        const paths = (n: number) =>
            probe({ spec: { rules: [{ host: HOST, http: { paths: Array(n).fill(path()) } }] } });
        assert.deepEqual(refused(paths(MAX_TENANT_PATHS)), []);
        assert.deepEqual(refused(paths(MAX_TENANT_PATHS + 1)), [SAYS.paths]);
        const resource = path({ resource: { apiGroup: "x.io", kind: "X", name: "x" } });
        assert.deepEqual(
            refused(probe({ spec: { rules: [{ host: HOST, http: { paths: [path(), resource] } }] } })),
            [SAYS.paths],
        );
        assert.deepEqual(refused(probe({ spec: { rules: [{ host: HOST }] } })), [SAYS.paths]);
        assert.deepEqual(refused(probe({ spec: { defaultBackend: path().backend } })), [SAYS.platformOwn]);
        assert.deepEqual(refused(probe({ spec: { tls: [{ hosts: [HOST] }] } })), [SAYS.platformOwn]);
    });

    it("refuse every ALB annotation but a target group's own, and values the ELB API would refuse", () => {
        for (const changes of [
            { metadata: { annotations: { "kubernetes.io/ingress.class": "shared" } } },
            alb("group.order", "-1000"),
            alb("actions.steal", "{}"),
            alb("scheme", "internal"),
            alb("healthcheck-path", "readyz"),
            alb("success-codes", "500"),
            // The pattern's escaped dot reaches CEL as one: any other character is refused.
            alb("target-group-attributes", "deregistration_delayXtimeout_seconds=36"),
        ])
            assert.deepEqual(refused(probe(changes)), [SAYS.annotations], JSON.stringify(changes));
        // A value that is not a number breaks the timing rule too: it cannot be compared.
        assert.deepEqual(refused(probe(alb("healthcheck-interval-seconds", "x"))), [
            SAYS.annotations,
            SAYS.timeout,
        ]);
        assert.deepEqual(refused(probe(alb("success-codes", "200-299"))), []);
    });

    it("refuse a health check whose timeout is not shorter than its interval, set or left to the defaults", () => {
        const timing = (timeout?: string, interval?: string) =>
            refused(
                probe({
                    metadata: {
                        annotations: {
                            ...(timeout && {
                                "alb.ingress.kubernetes.io/healthcheck-timeout-seconds": timeout,
                            }),
                            ...(interval && {
                                "alb.ingress.kubernetes.io/healthcheck-interval-seconds": interval,
                            }),
                        },
                    },
                }),
            );
        assert.deepEqual(timing("14"), []);
        assert.deepEqual(timing("15"), [SAYS.timeout]);
        assert.deepEqual(timing(undefined, "6"), []);
        assert.deepEqual(timing(undefined, "5"), [SAYS.timeout]);
        assert.deepEqual(timing("20", "30"), []);
        assert.deepEqual(timing("30", "20"), [SAYS.timeout]);
    });

    it("refuse a tenant's Service any ALB annotation, and only those", () => {
        const service = (annotations?: object) => ({ metadata: { name: "api", annotations }, spec: {} });
        const says =
            "a Service here takes no alb.ingress.kubernetes.io/ annotation: its Ingress's are the ones the platform admits";
        assert.deepEqual(
            refusals(
                TENANT_SERVICE_RULES,
                service({ "alb.ingress.kubernetes.io/backend-protocol": "HTTPS" }),
                lent(),
            ),
            [says],
        );
        assert.deepEqual(
            refusals(TENANT_SERVICE_RULES, service({ "example.com/owner": "shop" }), lent()),
            [],
        );
        assert.deepEqual(refusals(TENANT_SERVICE_RULES, { metadata: { name: "api" } }, lent()), []);
    });
});
