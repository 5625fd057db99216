// The workload section: the HPA's bounds, each pod's requests and limit, and how the load balancer
// serves it (client ranges, a certificate, the service's own name).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { workload } from "../../../config/sections/workload";
import { P } from "../../helpers";
import { BadConfig, accepted, boundsEach, parseDev, problemsOf, refused, refusesEach } from "../helpers";

const CERTIFICATE = "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

const cases: BadConfig[] = [
    [
        "certificate that is not an ACM ARN",
        { [`${P}:tlsCertificateArn`]: "arn:aws:iam::123456789012:server-certificate/web" },
        `${P}:tlsCertificateArn: got "arn:aws:iam::123456789012:server-certificate/web", expected empty, or an ACM certificate ARN such as ${CERTIFICATE}`,
    ],
    [
        "certificate ARN with anything before it",
        { [`${P}:tlsCertificateArn`]: `x${CERTIFICATE}` },
        `${P}:tlsCertificateArn: got "x${CERTIFICATE}", expected empty, or an ACM certificate ARN such as ${CERTIFICATE}`,
    ],
    [
        "HPA minimum above maximum",
        { [`${P}:workloadMinReplicas`]: "5" },
        `${P}:workloadMinReplicas: got 5 with workloadMaxReplicas=4, expected workloadMinReplicas <= workloadMaxReplicas`,
    ],
    [
        "memory limit below the request",
        { [`${P}:workloadMemoryLimit`]: "128Mi" },
        `${P}:workloadMemoryLimit: got 128Mi with workloadMemoryRequest=256Mi, expected a limit at least the request`,
    ],
    [
        "CPU request that is not a quantity",
        { [`${P}:workloadCpuRequest`]: "half" },
        `${P}:workloadCpuRequest: got "half", expected a CPU quantity such as 250m or 1`,
    ],
    [
        "a CPU request beyond the app's 64 workers",
        { [`${P}:workloadCpuRequest`]: "64500m" },
        `${P}:workloadCpuRequest: got "64500m", expected at most 64 CPUs (one gunicorn worker each, up to 64)`,
    ],
    [
        "memory in bytes without a unit",
        { [`${P}:workloadMemoryRequest`]: "256" },
        `${P}:workloadMemoryRequest: got "256", expected a memory quantity such as 256Mi or 1Gi`,
    ],
    [
        "an empty load balancer allowlist",
        { [`${P}:lbSourceRanges`]: "[]" },
        `${P}:lbSourceRanges: got [], expected at least one CIDR (0.0.0.0/0 to be public)`,
    ],
    [
        "a bad load balancer CIDR",
        { [`${P}:lbSourceRanges`]: '["10.0.0.0/33"]' },
        `${P}:lbSourceRanges: got "10.0.0.0/33", expected an IPv4 CIDR with a prefix from /0 to /32`,
    ],
];

describe("config sections: the workload, each bad value", () => refusesEach(cases));

describe("config sections: the workload", () => {
    boundsEach([["workloadMinReplicas", 1, undefined, {}]]);

    it("replicas: the minimum may equal the maximum; one problem for either out of range", () => {
        accepted(workload, { workloadMinReplicas: "3", workloadMaxReplicas: "3" });
        for (const key of ["workloadMinReplicas", "workloadMaxReplicas"])
            assert.equal(
                refused(workload, { [key]: "0" }),
                `${P}:${key}: got 0, expected an integer from 1 to 1000`,
            );
    });

    it("bounds the rollout timeout: at least the 30 s the startup probe gives a pod, an hour at most", () => {
        assert.deepEqual(problemsOf({ [`${P}:workloadRolloutTimeoutSeconds`]: "29" }), [
            `${P}:workloadRolloutTimeoutSeconds: got 29, expected an integer from 30 to 3600`,
        ]);
        assert.deepEqual(problemsOf({ [`${P}:workloadRolloutTimeoutSeconds`]: "3601" }), [
            `${P}:workloadRolloutTimeoutSeconds: got 3601, expected an integer from 30 to 3600`,
        ]);
        assert.equal(
            parseDev({ [`${P}:workloadRolloutTimeoutSeconds`]: "60" }).workload.rolloutTimeoutSeconds,
            60,
        );
    });

    it("CPU: millicores or up to three decimals, at most one gunicorn worker's worth each up to 64", () => {
        for (const workloadCpuRequest of ["250m", "1", "10", "0.5", "0.25", "0.125", "64"])
            accepted(workload, { workloadCpuRequest });
        for (const workloadCpuRequest of ["x250m", "250mx", "0.1234", "1.", "0.x", "65"])
            refused(workload, { workloadCpuRequest });
    });

    it("memory: a quantity in Ki, Mi or Gi; a limit may equal the request", () => {
        accepted(workload, { workloadMemoryRequest: "512Mi", workloadMemoryLimit: "512Mi" });
        for (const quantity of ["x256Mi", "256Mix"]) refused(workload, { workloadMemoryRequest: quantity });
    });

    it("load balancer source ranges that are not a list: one problem, no crash", () => {
        refused(workload, { lbSourceRanges: "0.0.0.0/0" });
    });

    it("TLS certificates of any partition and a region of more than one word", () => {
        accepted(workload, {
            tlsCertificateArn:
                "arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        });
    });

    it("a certificate, a name and a zone: empty is none, anything around a value is refused", () => {
        const none = accepted(workload, { tlsCertificateArn: "", hostname: "", hostedZoneId: "" });
        assert.deepEqual(
            [none.tlsCertificateArn, none.hostname, none.hostedZoneId],
            [undefined, undefined, undefined],
        );
        const set = accepted(workload, {
            tlsCertificateArn: CERTIFICATE,
            hostname: "shop.example.com",
            hostedZoneId: "Z0123",
        });
        assert.deepEqual(
            [set.tlsCertificateArn, set.hostname, set.hostedZoneId],
            [CERTIFICATE, "shop.example.com", "Z0123"],
        );
        assert.match(
            refused(workload, { tlsCertificateArn: `${CERTIFICATE}x` }),
            /expected empty, or an ACM/,
        );
        assert.equal(
            refused(workload, { hostname: "Shop.example.com" }),
            `${P}:hostname: got "Shop.example.com", expected empty, or a DNS name in lower case, at most 64 characters, such as shop.example.com`,
        );
        assert.equal(
            refused(workload, { hostedZoneId: "z0123" }),
            `${P}:hostedZoneId: got "z0123", expected empty, or a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ`,
        );
    });
});
