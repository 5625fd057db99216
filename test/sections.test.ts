// Each config section read on its own, at the edges of what it accepts: patterns anchored at both
// ends, ranges at their bounds, the sentence a user reads, and no section returned once a problem is
// recorded. The dev stack's config is the base; each case changes a key or two.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS, newestVersion, runway } from "../domain/versions";
import { Reader } from "../config/reader";
import {
    ENDPOINT_PLACEHOLDER,
    cluster,
    image,
    local,
    network,
    nodes,
    region,
    sourceRangesProblem,
    workload,
} from "../config/sections";
import { loadStackConfig } from "../offline/stack-config";
import { P, PREVIEW } from "./helpers";

type Section = (r: Reader) => unknown;

/** A section read over the dev stack's config with some keys changed (bare keys are the project's). */
function read(section: Section, overrides: Record<string, unknown> = {}, situation = PREVIEW) {
    const values: Record<string, string | undefined> = { ...loadStackConfig("dev").values };
    for (const [key, value] of Object.entries(overrides))
        values[key.includes(":") ? key : `${P}:${key}`] =
            typeof value === "string" ? value : JSON.stringify(value);
    const reader = new Reader((ns, key) => values[`${ns}:${key}`], P, [], situation);
    return { result: section(reader), problems: reader.problems, notices: reader.notices };
}

function accepted(section: Section, overrides: Record<string, unknown>, situation = PREVIEW) {
    const { result, problems } = read(section, overrides, situation);
    assert.deepEqual(problems, [], JSON.stringify(overrides));
    assert.notEqual(result, undefined);
    return result as any;
}

/** Refused with exactly one problem, returned, and no section. */
function refused(section: Section, overrides: Record<string, unknown>, situation = PREVIEW): string {
    const { result, problems } = read(section, overrides, situation);
    assert.equal(problems.length, 1, `${JSON.stringify(overrides)}: ${problems.join("; ")}`);
    assert.equal(result, undefined, JSON.stringify(overrides));
    return problems[0];
}

const ROLE = "arn:aws:iam::123456789012:role/admin";
const VPC = "vpc-0123456789abcdef0";
const subnets = (n: number) => Array.from({ length: 2 }, (_, i) => `subnet-${n}${i}23456789abcdef0`);

describe("config sections: the local target", () => {
    it("a context name or nothing; a registry with or without a port, one path segment or more", () => {
        for (const localRegistry of ["registry.example.com/team/app", "localhost:5000/team/app"])
            accepted(local, { localRegistry, localContext: "kind-kind" });
        assert.equal(
            refused(local, { localContext: "my context" }),
            `${P}:localContext: got "my context", expected empty, or a kubeconfig context name`,
        );
        for (const localRegistry of ["bad host/x", "localhost:5000/a/B"])
            assert.equal(
                refused(local, { localRegistry }),
                `${P}:localRegistry: got ${JSON.stringify(localRegistry)}, expected an image repository such as localhost:5000/flask-eks`,
            );
    });

    it("an empty kubeconfig or context means the default one", () => {
        const settings = accepted(local, { localKubeconfig: "", localContext: "" });
        assert.equal(settings.kubeconfig, undefined);
        assert.equal(settings.context, undefined);
    });
});

describe("config sections: the region", () => {
    it("names another partition's regions as such, and only those", () => {
        const partition = (region: string) =>
            `aws:region: got "${region}", expected a commercial AWS region such as us-west-2 (${region} is in another partition, whose ARNs, endpoints and prices this program does not handle)`;
        for (const name of [
            "cn-north-1",
            "us-gov-west-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eusc-de-east-1",
        ])
            assert.equal(refused(region, { "aws:region": name }), partition(name));
        assert.doesNotMatch(refused(region, { "aws:region": "xcn-north-1" }), /another partition/);
    });
});

describe("config sections: the network", () => {
    const adopted = {
        vpcId: VPC,
        publicSubnetIds: subnets(1),
        privateSubnetIds: subnets(2),
        natGateways: "none",
    };

    it("adopts a VPC with two subnets of each kind, with no NAT gateway of its own", () => {
        assert.deepEqual(accepted(network, adopted).existing, {
            vpcId: VPC,
            publicSubnetIds: subnets(1),
            privateSubnetIds: subnets(2),
        });
    });

    it("refuses a VPC id or subnet id with anything before or after it, and then no network", () => {
        for (const vpcId of ["vpc-123", `x${VPC}`, `${VPC}x`])
            assert.equal(
                refused(network, { ...adopted, vpcId }),
                `${P}:vpcId: got ${JSON.stringify(vpcId)}, expected empty, or a VPC id such as vpc-0123456789abcdef0`,
            );
        const [one, two] = subnets(1);
        for (const [key, bad] of [
            ["publicSubnetIds", `x${one}`],
            ["privateSubnetIds", `${one}x`],
        ])
            assert.equal(
                refused(network, { ...adopted, [key]: [bad, two] }),
                `${P}:${key}: got ${JSON.stringify(bad)}, expected subnet ids such as subnet-0123456789abcdef0`,
            );
    });

    it("refuses an adopted VPC with one subnet of a kind", () => {
        assert.equal(
            refused(network, { ...adopted, privateSubnetIds: [subnets(2)[0]] }),
            `${P}:privateSubnetIds: got ["${subnets(2)[0]}"], expected at least 2 subnets in different AZs when vpcId is set`,
        );
    });
});

describe("config sections: the cluster", () => {
    it("hints at quoting for any version YAML may have read as a number", () => {
        for (const kubernetesVersion of ["1.3", "10.3", "1.03", "12"])
            assert.match(
                refused(cluster, { kubernetesVersion }),
                /, as a quoted string \(YAML reads an unquoted version such as 1\.30 as the number 1\.3: write "1\.30"\)$/,
                kubernetesVersion,
            );
        assert.doesNotMatch(refused(cluster, { kubernetesVersion: "1.30-eks" }), /quoted/);
    });

    it("role ARNs of any partition; nothing before or after; one problem for a bad list", () => {
        accepted(cluster, { adminRoleArns: ["arn:aws-us-gov:iam::123456789012:role/a"] });
        for (const arn of [`x${ROLE}`, `${ROLE} b`])
            assert.equal(
                refused(cluster, { adminRoleArns: [arn] }),
                `${P}:adminRoleArns: got ${JSON.stringify(arn)}, expected IAM role ARNs such as arn:aws:iam::123456789012:role/admin`,
            );
        assert.equal(
            refused(cluster, { viewerRoleArns: ["arn:aws:iam::123456789012:user/x"] }),
            `${P}:viewerRoleArns: got "arn:aws:iam::123456789012:user/x", expected IAM role ARNs such as arn:aws:iam::123456789012:role/flask-eks-preview`,
        );
        refused(cluster, { adminRoleArns: ["nope"], viewerRoleArns: [ROLE.replace("admin", "viewer")] });
    });

    it("the kubeconfig's profile and role: empty or well formed", () => {
        assert.equal(
            refused(cluster, { kubeconfigProfile: "my profile" }),
            `${P}:kubeconfigProfile: got "my profile", expected empty, or an AWS CLI profile name`,
        );
        assert.equal(
            refused(cluster, { kubeconfigRoleArn: "deploy" }),
            `${P}:kubeconfigRoleArn: got "deploy", expected empty, or an IAM role ARN`,
        );
        accepted(cluster, { kubeconfigRoleArn: ROLE, kubeconfigProfile: "" });
    });

    it("no runway notice for a version when the upgrade policy is itself refused", () => {
        const { problems, notices } = read(cluster, { kubernetesVersion: "1.34", upgradePolicy: "LATEST" });
        assert.equal(problems.length, 1, problems.join("; "));
        assert.deepEqual(notices, []);
    });

    it("refuses a version whose support has ended", () => {
        const after = { today: new Date("2029-01-01T00:00:00Z"), deploying: false };
        assert.match(
            refused(cluster, { kubernetesVersion: "1.35" }, after),
            /^[\w-]+:kubernetesVersion: got "1\.35", expected a version with support left; 1\.35's ended 2028-03-27: /,
        );
    });

    it("warns of the end of standard support from the day fewer than RUNWAY_WARNING_DAYS are left", () => {
        const version = KUBERNETES_VERSIONS["1.35"];
        const end = Date.parse(version.endOfStandardSupport);
        const daysBefore = (n: number) => ({ today: new Date(end - n * 86_400_000), deploying: false });
        assert.equal(runway(version, daysBefore(RUNWAY_WARNING_DAYS).today).days, RUNWAY_WARNING_DAYS);
        assert.deepEqual(
            read(cluster, { kubernetesVersion: "1.35" }, daysBefore(RUNWAY_WARNING_DAYS)).notices,
            [],
        );
        assert.deepEqual(
            read(cluster, { kubernetesVersion: "1.35" }, daysBefore(RUNWAY_WARNING_DAYS - 1)).notices,
            [
                `Kubernetes 1.35 leaves standard support in ${RUNWAY_WARNING_DAYS - 1} days (2027-03-27): upgrade one minor at a time towards ${newestVersion()} (docs/operations.md, "Upgrading Kubernetes").`,
            ],
        );
    });

    it("no cluster when an endpoint CIDR is malformed, reserved, or the placeholder at pulumi up", () => {
        for (const cidrs of [["10.0.0.0/33"], ["10.0.0.0/8"]])
            refused(cluster, { endpointPublicAccessCidrs: cidrs });
        refused(
            cluster,
            { endpointPublicAccessCidrs: [ENDPOINT_PLACEHOLDER] },
            { ...PREVIEW, deploying: true },
        );
    });
});

describe("config sections: the nodes", () => {
    it("an instance type's name, with nothing before or after it", () => {
        for (const type of ["Xt3.medium", "t3.medium!"])
            assert.equal(
                refused(nodes, { instanceTypes: [type] }),
                `${P}:instanceTypes: got ${JSON.stringify(type)}, expected EC2 instance types such as t3.medium`,
            );
    });

    it("one problem for a size out of range, none about the sizes it bounds", () => {
        assert.equal(
            refused(nodes, { nodeMaxSize: "0" }),
            `${P}:nodeMaxSize: got 0, expected an integer >= 1`,
        );
        assert.equal(
            refused(nodes, { nodeMinSize: "-1" }),
            `${P}:nodeMinSize: got -1, expected an integer >= 0`,
        );
    });
});

describe("config sections: the image", () => {
    it("a version label starts with a letter, digit or _, and has nothing after it", () => {
        for (const imageVersion of ["-1.0", "1.0 beta"])
            assert.equal(
                refused(image, { imageVersion }),
                `${P}:imageVersion: got ${JSON.stringify(imageVersion)}, expected a version label such as 1.4.2 (letters, digits, . + - _)`,
            );
    });
});

describe("config sections: the workload", () => {
    it("replicas: the minimum may equal the maximum; one problem for either out of range", () => {
        accepted(workload, { workloadMinReplicas: "3", workloadMaxReplicas: "3" });
        for (const key of ["workloadMinReplicas", "workloadMaxReplicas"])
            assert.equal(
                refused(workload, { [key]: "0" }),
                `${P}:${key}: got 0, expected an integer from 1 to 1000`,
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

    it("names the client ranges inside the VPC, one or several", () => {
        const tail =
            "inside it): an internet-facing NLB's clients arrive from outside it, callers inside it through NAT";
        assert.equal(
            sourceRangesProblem(["10.0.1.0/24", "192.0.2.0/24"], "10.0.0.0/16"),
            `ranges outside the VPC 10.0.0.0/16, where the nodes and pods are (10.0.1.0/24 is ${tail}`,
        );
        assert.equal(
            sourceRangesProblem(["10.0.1.0/24", "10.0.2.0/24"], "10.0.0.0/16"),
            `ranges outside the VPC 10.0.0.0/16, where the nodes and pods are (10.0.1.0/24, 10.0.2.0/24 are ${tail}`,
        );
    });
});
