// The checks across sections: what each section allows on its own but not with the others, such as
// a workload its nodes cannot hold, and which of them apply on EKS only.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fit } from "../../../domain/capacity";
import {
    Sections,
    certificateProblem,
    checkAcross,
    deployRoleProblems,
    publicNameProblems,
    sourceRangesProblem,
} from "../../../config/sections/checks";
import { cluster as clusterSection } from "../../../config/sections/cluster";
import { layer as layerSection } from "../../../config/sections/layer";
import { network as networkSection } from "../../../config/sections/network";
import { nodes as nodesSection } from "../../../config/sections/nodes";
import type { Target } from "../../../config/sections/target";
import { workload as workloadSection } from "../../../config/sections/workload";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, readerOf } from "../../helpers";
import { BadConfig, accepted, problemsOf, refusesEach, stackProblems } from "../helpers";

const ADMIN = "arn:aws:iam::123456789012:role/admin";

const CERTIFICATE = "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const RANGES = `(docs/configuration.md, "Load balancer client ranges")`;

const cases: BadConfig[] = [
    [
        "certificate from another region",
        { [`${P}:tlsCertificateArn`]: CERTIFICATE.replace("us-west-2", "us-east-1") },
        `${P}:tlsCertificateArn: got "${CERTIFICATE.replace("us-west-2", "us-east-1")}", expected a certificate in the stack's region us-west-2 (an NLB uses ACM certificates of its own region only)`,
    ],
    [
        "a load balancer client range inside the VPC the stack creates",
        { [`${P}:lbSourceRanges`]: '["203.0.113.0/24","10.0.64.0/18"]' },
        `${P}:lbSourceRanges: got ["203.0.113.0/24","10.0.64.0/18"], expected ranges outside the VPC 10.0.0.0/16: 10.0.64.0/18 is inside it ${RANGES}`,
    ],
];

describe("config checks across sections, each bad value", () => refusesEach(cases));

describe("config checks across sections: node capacity", () => {
    it("the HPA's maximum that exactly fills nodeMaxSize nodes is accepted, one more refused, with the numbers", () => {
        const { values } = loadStackConfig("dev");
        const nodes = {
            instanceTypes: JSON.parse(values[`${P}:instanceTypes`]),
            maxSize: Number(values[`${P}:nodeMaxSize`]),
        };
        const workload = {
            cpuRequest: values[`${P}:workloadCpuRequest`],
            memoryRequest: values[`${P}:workloadMemoryRequest`],
        };
        // holds pods fit, one of them the rolling update's surge pod: the HPA may ask for holds - 1.
        const { holds, instanceType } = fit(nodes, { ...workload, maxReplicas: 1 });
        const full = problemsOf({ [`${P}:workloadMaxReplicas`]: String(holds - 1) });
        assert.deepEqual(full, [], `workloadMaxReplicas=${holds - 1}`);
        assert.deepEqual(problemsOf({ [`${P}:workloadMaxReplicas`]: String(holds) }), [
            `${P}:workloadMaxReplicas: got ${holds}, expected at most ${holds - 1}: nodeMaxSize=${nodes.maxSize} nodes of ${instanceType} hold ${holds} pods of ${workload.cpuRequest} CPU and ${workload.memoryRequest}, one of them a rollout's surge pod (docs/configuration.md, "Node capacity")`,
        ]);
    });
});

describe("config checks across sections: what applies on EKS only", () => {
    it("the local target reports a bad cluster key like any other, and has no node capacity to check", () => {
        assert.equal(stackProblems("local", { [`${P}:kubernetesVersion`]: "1.99" }).length, 1);
        const manyReplicas = { [`${P}:workloadMaxReplicas`]: "1000" };
        assert.match(
            stackProblems("dev", manyReplicas).join("\n"),
            /workloadMaxReplicas: got 1000, expected at most/,
        );
        assert.deepEqual(stackProblems("local", manyReplicas), []);
    });

    it("the local target takes client ranges inside the VPC CIDR it does not create", () => {
        const inside = { [`${P}:lbSourceRanges`]: '["10.0.1.0/24"]', [`${P}:vpcCidr`]: "10.0.0.0/16" };
        assert.match(
            stackProblems("dev", inside).join("\n"),
            /lbSourceRanges: got \["10\.0\.1\.0\/24"\], expected ranges outside/,
        );
        assert.deepEqual(stackProblems("local", inside), []);
    });

    it("the local target refuses Container Insights, which is an EKS add-on", () => {
        assert.deepEqual(stackProblems("local", { [`${P}:containerInsights`]: "true" }), [
            `${P}:containerInsights: got true, expected false on the local target, which has no EKS add-ons`,
        ]);
        assert.deepEqual(stackProblems("dev", { [`${P}:containerInsights`]: "true" }), []);
    });
});

describe("config checks across sections: client ranges", () => {
    it("names the client ranges inside the VPC, one or several", () => {
        assert.equal(
            sourceRangesProblem(["10.0.1.0/24", "192.0.2.0/24"], "10.0.0.0/16"),
            `ranges outside the VPC 10.0.0.0/16: 10.0.1.0/24 is inside it ${RANGES}`,
        );
        assert.equal(
            sourceRangesProblem(["10.0.1.0/24", "10.0.2.0/24"], "10.0.0.0/16"),
            `ranges outside the VPC 10.0.0.0/16: 10.0.1.0/24, 10.0.2.0/24 are inside it ${RANGES}`,
        );
        assert.equal(sourceRangesProblem(["0.0.0.0/1", "192.0.2.0/24"], "10.0.0.0/16"), undefined);
    });
});

describe("config checks across sections: a certificate and the public name", () => {
    it("a bad region is one problem, not also a certificate meant for the local target", () => {
        const problems = stackProblems("dev", {
            "aws:region": "mars-1",
            [`${P}:tlsCertificateArn`]: CERTIFICATE,
        });
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^aws:region: got "mars-1"/);
    });

    it("a certificate: none is no problem; the local target takes none; on EKS, one of the stack's region", () => {
        assert.equal(certificateProblem(undefined, false, undefined), undefined);
        assert.match(certificateProblem(CERTIFICATE, false, "us-west-2")!, /^empty: the local target/);
        assert.equal(certificateProblem(CERTIFICATE, true, undefined), undefined);
        assert.equal(certificateProblem(CERTIFICATE, true, "us-west-2"), undefined);
        assert.match(certificateProblem(CERTIFICATE, true, "eu-west-1")!, /region eu-west-1/);
    });

    it("a name and its zone go together, on EKS only, and bring no certificate of their own", () => {
        const name = { hostname: "shop.example.com", hostedZoneId: "Z0123" };
        assert.deepEqual(publicNameProblems({}, false), []);
        assert.deepEqual(publicNameProblems(name, true), []);
        assert.deepEqual(
            publicNameProblems(name, false).map(([key]) => key),
            ["hostname"],
        );
        assert.deepEqual(
            publicNameProblems({ hostedZoneId: "Z0123" }, false).map(([key]) => key),
            ["hostedZoneId"],
        );
        assert.deepEqual(publicNameProblems({ hostedZoneId: "Z0123" }, true)[0].slice(0, 2), [
            "hostname",
            "",
        ]);
        assert.deepEqual(publicNameProblems({ hostname: name.hostname }, true)[0].slice(0, 2), [
            "hostedZoneId",
            "",
        ]);
        assert.deepEqual(
            publicNameProblems({ ...name, tlsCertificateArn: CERTIFICATE }, true)[0].slice(0, 2),
            ["tlsCertificateArn", CERTIFICATE],
        );
    });
});

describe("config checks across sections: which layer and target each check is for", () => {
    const sections = (
        more: Partial<Sections> = {},
        workloadKeys: Record<string, unknown> = {},
    ): Sections => ({
        region: "us-west-2",
        network: accepted(networkSection, {}),
        cluster: accepted(clusterSection, {}),
        nodes: accepted(nodesSection, {}),
        // More replicas than dev's nodes hold, and a client range inside its VPC.
        workload: accepted(workloadSection, {
            workloadMaxReplicas: 1000,
            lbSourceRanges: ["10.0.64.0/18"],
            ...workloadKeys,
        }),
        layer: accepted(layerSection, {}),
        ...more,
    });
    const problems = (target: Target | undefined, s: Sections) => {
        const r = readerOf(P, {});
        checkAcross(r, target, s);
        return r.problems.map((p) => p.split(":")[1]);
    };
    const platform = (tenants: unknown) => accepted(layerSection, { layer: "platform", tenants });
    const hungry = { web: { cpu: "64", memory: "1Gi" } };

    it("a workload's room on the nodes and its client ranges are checked in the one-stack shape only", () => {
        assert.deepEqual(problems("eks", sections()), ["workloadMaxReplicas", "lbSourceRanges"]);
        assert.deepEqual(problems("eks", sections({ layer: platform({}) })), []);
        // A layer section with a problem of its own is not read at all.
        assert.deepEqual(problems("eks", sections({ layer: undefined })), []);
        assert.deepEqual(problems("local", sections({ layer: undefined })), []);
    });

    it("a platform's tenants are held to its nodes on EKS, when both were read", () => {
        assert.deepEqual(problems("eks", sections({ layer: platform(hungry) })), ["tenants"]);
        assert.deepEqual(problems("local", sections({ layer: platform(hungry) })), []);
        assert.deepEqual(problems("eks", sections({ layer: platform(hungry), nodes: undefined })), []);
    });

    it("deploy roles are checked against the cluster's admins and viewers only when the cluster section was read", () => {
        const { tenants } = platform({ web: { cpu: "1", memory: "1Gi", deployRoleArns: [ADMIN] } });
        assert.deepEqual(deployRoleProblems(tenants, undefined), []);
        assert.equal(deployRoleProblems(tenants, { adminRoleArns: [ADMIN], viewerRoleArns: [] }).length, 1);
        assert.equal(deployRoleProblems(tenants, { adminRoleArns: [], viewerRoleArns: [ADMIN] }).length, 1);
    });
});
