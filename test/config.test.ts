import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { architectureOf } from "../domain/instancetypes";
import { fit } from "../domain/capacity";
import { cidrProblem } from "../domain/cidr";
import { LOG_RETENTION_DAYS } from "../components/platform/cluster";
import { KUBERNETES_VERSIONS, newestVersion } from "../domain/versions";
import { ENDPOINT_PLACEHOLDER } from "../config/sections";
import { parseConfig } from "../config";
import { RENAMED_KEYS } from "../migrations";
import { COMMERCIAL_REGIONS } from "../config/regions";
import { runStack } from "../offline";
import { ROOT, loadStackConfig, readProjectFile } from "../offline/stack-config";
import { P, PREVIEW, resourcesOf } from "./helpers";

/** When tests read config that depends on the date: a fixed day, and a preview unless they say. */

/** parseConfig over the dev stack's config with some keys changed (a string) or unset (undefined). */
function parseDev(overrides: Record<string, string | undefined>, situation = PREVIEW) {
    const { values } = loadStackConfig("dev");
    const merged: Record<string, string | undefined> = { ...values, ...overrides };
    return parseConfig((ns, key) => merged[`${ns}:${key}`], P, "dev", undefined, situation);
}

function problemsOf(overrides: Record<string, string | undefined>, situation = PREVIEW): string[] {
    try {
        parseDev(overrides, situation);
    } catch (e) {
        return (e as { problems: string[] }).problems;
    }
    return [];
}

// Each class of bad config, with the exact line the user sees.
const cases: [string, Record<string, string | undefined>, string][] = [
    [
        "VPC CIDR that is not a CIDR",
        { [`${P}:vpcCidr`]: "10.0.0.0" },
        `${P}:vpcCidr: got "10.0.0.0", expected an IPv4 CIDR with a prefix from /16 to /22`,
    ],
    [
        "VPC CIDR too small for the subnets",
        { [`${P}:vpcCidr`]: "10.0.0.0/24" },
        `${P}:vpcCidr: got "10.0.0.0/24", expected an IPv4 CIDR with a prefix from /16 to /22`,
    ],
    [
        "VPC CIDR with host bits set",
        { [`${P}:vpcCidr`]: "10.0.3.0/16" },
        `${P}:vpcCidr: got "10.0.3.0/16", expected a network address (host bits zero), such as 10.0.0.0/16`,
    ],
    ["AZ count above 6", { [`${P}:azCount`]: "7" }, `${P}:azCount: got 7, expected an integer from 2 to 6`],
    ["AZ count below 2", { [`${P}:azCount`]: "1" }, `${P}:azCount: got 1, expected an integer from 2 to 6`],
    [
        "AZ count not an integer",
        { [`${P}:azCount`]: "two" },
        `${P}:azCount: got "two", expected an integer from 2 to 6`,
    ],
    [
        "unknown NAT mode",
        { [`${P}:natGateways`]: "many" },
        `${P}:natGateways: got "many", expected one of none, single, perAz`,
    ],
    [
        "desired above max",
        { [`${P}:nodeDesiredSize`]: "5" },
        `${P}:nodeDesiredSize: got 5, expected from nodeMinSize to nodeMaxSize (1 to 3)`,
    ],
    [
        "min above desired",
        { [`${P}:nodeMinSize`]: "3", [`${P}:nodeDesiredSize`]: "2" },
        `${P}:nodeDesiredSize: got 2, expected from nodeMinSize to nodeMaxSize (3 to 3)`,
    ],
    [
        "min above max, blamed on the minimum",
        { [`${P}:nodeMinSize`]: "4", [`${P}:nodeMaxSize`]: "2", [`${P}:nodeDesiredSize`]: "2" },
        `${P}:nodeMinSize: got 4, expected at most nodeMaxSize (2)`,
    ],
    ["min below zero", { [`${P}:nodeMinSize`]: "-1" }, `${P}:nodeMinSize: got -1, expected an integer >= 0`],
    [
        "a first size of zero (the autoscaler runs on these nodes)",
        { [`${P}:nodeMinSize`]: "0", [`${P}:nodeDesiredSize`]: "0" },
        `${P}:nodeDesiredSize: got 0, expected an integer >= 1`,
    ],
    [
        "disk below 20 GiB",
        { [`${P}:nodeDiskSizeGiB`]: "8" },
        `${P}:nodeDiskSizeGiB: got 8, expected an integer from 20 to 16384`,
    ],
    [
        "disk above 16384 GiB",
        { [`${P}:nodeDiskSizeGiB`]: "20000" },
        `${P}:nodeDiskSizeGiB: got 20000, expected an integer from 20 to 16384`,
    ],
    [
        "log retention CloudWatch refuses",
        { [`${P}:logRetentionDays`]: "10" },
        `${P}:logRetentionDays: got 10, expected one of ${LOG_RETENTION_DAYS.join(", ")}`,
    ],
    [
        "mixed CPU architectures",
        { [`${P}:instanceTypes`]: '["t3.medium","t4g.medium"]' },
        `${P}:instanceTypes: got t3.medium=amd64, t4g.medium=arm64, expected one CPU architecture for all (the AMI and the image are built for one)`,
    ],
    [
        "malformed instance type",
        { [`${P}:instanceTypes`]: '["large"]' },
        `${P}:instanceTypes: got "large", expected EC2 instance types such as t3.medium`,
    ],
    [
        "no instance types",
        { [`${P}:instanceTypes`]: "[]" },
        `${P}:instanceTypes: got [], expected at least one instance type`,
    ],
    [
        "unknown capacity type",
        { [`${P}:capacityType`]: "spot" },
        `${P}:capacityType: got "spot", expected one of ON_DEMAND, SPOT`,
    ],
    [
        "bad CIDR in the endpoint allowlist",
        { [`${P}:endpointPublicAccessCidrs`]: '["1.2.3.4/33"]' },
        `${P}:endpointPublicAccessCidrs: got "1.2.3.4/33", expected an IPv4 CIDR with a prefix from /0 to /32`,
    ],
    [
        "allowlist that is not a list",
        { [`${P}:endpointPublicAccessCidrs`]: "1.2.3.0/24" },
        `${P}:endpointPublicAccessCidrs: got "1.2.3.0/24", expected a list of strings`,
    ],
    [
        "Kubernetes version the stack has no row for",
        { [`${P}:kubernetesVersion`]: "1.33.2" },
        `${P}:kubernetesVersion: got "1.33.2", expected one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}`,
    ],
    [
        "documentation range in the endpoint allowlist",
        { [`${P}:endpointPublicAccessCidrs`]: '["203.0.113.0/24"]' },
        `${P}:endpointPublicAccessCidrs: got "203.0.113.0/24", expected public CIDRs your CI runners' and operators' traffic comes from (or [] for a private-only endpoint, reached from inside the VPC), not a documentation range, 203.0.113.0/24`,
    ],
    [
        "private range in the endpoint allowlist",
        { [`${P}:endpointPublicAccessCidrs`]: '["10.20.0.0/16"]' },
        `${P}:endpointPublicAccessCidrs: got "10.20.0.0/16", expected public CIDRs your CI runners' and operators' traffic comes from (or [] for a private-only endpoint, reached from inside the VPC), not a private range, 10.0.0.0/8`,
    ],
    [
        "no NAT gateway for a VPC the stack creates",
        { [`${P}:natGateways`]: "none" },
        `${P}:natGateways: got "none", expected single or perAz for a VPC the stack creates (its nodes pull images and join the cluster through NAT); none only with vpcId, a VPC whose private subnets already have a way out`,
    ],
    [
        "VPC id without private subnets",
        {
            [`${P}:vpcId`]: "vpc-0123456789abcdef0",
            [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
        },
        `${P}:privateSubnetIds: got [], expected at least 2 subnets in different AZs when vpcId is set`,
    ],
    [
        "subnets without a VPC id",
        { [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]' },
        `${P}:vpcId: got "", expected a VPC id because publicSubnetIds/privateSubnetIds are set (subnets only make sense with the VPC they belong to)`,
    ],
    [
        "malformed subnet id",
        {
            [`${P}:vpcId`]: "vpc-0123456789abcdef0",
            [`${P}:privateSubnetIds`]: '["subnet-1","subnet-0123456789abcdef1"]',
            [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
        },
        `${P}:privateSubnetIds: got "subnet-1", expected subnet ids such as subnet-0123456789abcdef0`,
    ],
    [
        "admin that is not a role ARN",
        { [`${P}:adminRoleArns`]: '["alice"]' },
        `${P}:adminRoleArns: got "alice", expected IAM role ARNs such as arn:aws:iam::123456789012:role/admin`,
    ],
    [
        "certificate that is not an ACM ARN",
        { [`${P}:tlsCertificateArn`]: "arn:aws:iam::123456789012:server-certificate/web" },
        `${P}:tlsCertificateArn: got "arn:aws:iam::123456789012:server-certificate/web", expected empty, or an ACM certificate ARN such as arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    ],
    [
        "certificate from another region",
        {
            [`${P}:tlsCertificateArn`]:
                "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        },
        `${P}:tlsCertificateArn: got "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", expected a certificate in the stack's region us-west-2 (an NLB uses ACM certificates of its own region only)`,
    ],
    [
        "protect that is not a boolean",
        { [`${P}:protect`]: "yes" },
        `${P}:protect: got "yes", expected true or false`,
    ],
    [
        "a role that is both viewer and admin",
        {
            [`${P}:adminRoleArns`]: '["arn:aws:iam::123456789012:role/ops"]',
            [`${P}:viewerRoleArns`]: '["arn:aws:iam::123456789012:role/ops"]',
        },
        `${P}:viewerRoleArns: got ["arn:aws:iam::123456789012:role/ops"], expected roles not also in adminRoleArns (a role has one access entry; an admin can read)`,
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
    [
        "a load balancer client range inside the VPC the stack creates",
        { [`${P}:lbSourceRanges`]: '["203.0.113.0/24","10.0.64.0/18"]' },
        `${P}:lbSourceRanges: got ["203.0.113.0/24","10.0.64.0/18"], expected ranges outside the VPC 10.0.0.0/16, where the nodes and pods are (10.0.64.0/18 is inside it): an internet-facing NLB's clients arrive from outside it, callers inside it through NAT`,
    ],
    [
        "keeping no images",
        { [`${P}:imageKeepCount`]: "0" },
        `${P}:imageKeepCount: got 0, expected an integer from 1 to 1000`,
    ],
    [
        "a rollback image that is not by digest",
        { [`${P}:imageRef`]: "repo/web:v1" },
        `${P}:imageRef: got "repo/web:v1", expected empty, or an image by digest such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/repo@sha256:<64 hex>`,
    ],
    [
        "missing region",
        { "aws:region": undefined },
        `aws:region: not set, expected a value (Pulumi.yaml declares every key; set this one with pulumi config set aws:region ...)`,
    ],
    [
        "malformed region",
        { "aws:region": "Oregon" },
        `aws:region: got "Oregon", expected a commercial AWS region such as us-west-2`,
    ],
    [
        "a region that does not exist, with the nearest",
        { "aws:region": "us-west-9" },
        `aws:region: got "us-west-9", expected a commercial AWS region such as us-west-2; did you mean us-west-1 or us-west-2?`,
    ],
    [
        "a region outside the commercial partition",
        { "aws:region": "cn-north-1" },
        `aws:region: got "cn-north-1", expected a commercial AWS region such as us-west-2 (cn-north-1 is in another partition, whose ARNs, endpoints and prices this program does not handle)`,
    ],
    [
        "an unquoted Kubernetes version, which YAML made a number",
        { [`${P}:kubernetesVersion`]: "1.3" },
        `${P}:kubernetesVersion: got "1.3", expected one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}, as a quoted string (YAML reads an unquoted version such as 1.30 as the number 1.3: write "1.30")`,
    ],
];

describe("config validation", () => {
    for (const [what, overrides, line] of cases) {
        it(`rejects ${what} with one line naming key, value and what is allowed`, () => {
            assert.deepEqual(problemsOf(overrides), [line]);
        });
    }

    it("rejects every bad value at once, in one error", () => {
        const problems = problemsOf({
            [`${P}:azCount`]: "9",
            [`${P}:natGateways`]: "x",
            [`${P}:nodeDiskSizeGiB`]: "1",
        });
        assert.equal(problems.length, 3);
        assert.match(problems[0], /azCount/);
        assert.match(problems[1], /natGateways/);
        assert.match(problems[2], /nodeDiskSizeGiB/);
    });

    it("rejects a negative value for every integer key", () => {
        const integerKeys = Object.entries(readProjectFile().config ?? {})
            .filter(([, decl]) => decl.type === "integer")
            .map(([key]) => key);
        assert.ok(integerKeys.length >= 6, `found integer keys ${integerKeys}`);
        for (const key of integerKeys) {
            const problems = problemsOf({ [`${P}:${key}`]: "-1" });
            assert.ok(
                problems.some((p) => p.startsWith(`${P}:${key}: got -1, expected `)),
                `${key}=-1 gave ${JSON.stringify(problems)}`,
            );
        }
    });

    it("fails the program before any resource is registered, for every class of bad config", async () => {
        for (const [what, overrides, line] of cases) {
            const run = await runStack("dev", { overrides });
            assert.equal(run.error?.name, "ConfigError", what);
            assert.ok(run.error!.message.includes(line), `${what}: ${run.error!.message}`);
            assert.deepEqual(
                resourcesOf(run).map((r) => r.type),
                [],
                what,
            );
        }
    });

    it("adopting a VPC needs both subnet lists and creates no network resources", async () => {
        const adopt = {
            [`${P}:vpcId`]: "vpc-0123456789abcdef0",
            [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
            [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
        };
        const adopted = parseDev(adopt);
        assert.ok(adopted.target === "eks");
        assert.deepEqual(adopted.network.existing, {
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
            privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        });
    });

    it("returns a frozen config", () => {
        const config = parseDev({});
        assert.ok(config.target === "eks");
        assert.ok(Object.isFrozen(config) && Object.isFrozen(config.nodes.instanceTypes));
    });
});

describe("derived values", () => {
    it("takes the CPU architecture from the instance-type table", () => {
        for (const t of ["t3.medium", "m6i.large", "c5n.xlarge", "g4dn.xlarge", "m7a.large", "r5b.large"]) {
            assert.equal(architectureOf(t), "amd64", t);
        }
        for (const t of [
            "t4g.medium",
            "m7g.large",
            "c7gn.large",
            "r8gd.large",
            "m6gd.large",
            "a1.large",
            "x2gd.large",
        ]) {
            assert.equal(architectureOf(t), "arm64", t);
        }
    });

    it("knows the commercial regions by code: well formed, sorted, each once", () => {
        assert.ok(COMMERCIAL_REGIONS.length >= 30, `${COMMERCIAL_REGIONS.length} regions`);
        for (const region of COMMERCIAL_REGIONS) assert.match(region, /^[a-z]{2}(-[a-z]+)+-\d$/);
        assert.deepEqual([...new Set(COMMERCIAL_REGIONS)].sort(), COMMERCIAL_REGIONS);
    });

    it("checks CIDRs for form, prefix range and host bits", () => {
        assert.equal(cidrProblem("10.0.0.0/16", 16, 22), undefined);
        assert.equal(cidrProblem("0.0.0.0/0", 0, 32), undefined);
        assert.match(cidrProblem("256.0.0.0/16", 16, 22)!, /IPv4 CIDR/);
        assert.match(cidrProblem("10.0.0.1/32", 0, 31)!, /prefix from \/0 to \/31/);
        assert.match(cidrProblem("192.168.1.1/24", 0, 32)!, /192\.168\.1\.0\/24/);
    });
});

describe("unknown keys", () => {
    it("reports a mistyped key instead of silently using the default", async () => {
        const run = await runStack("dev", {
            overrides: { [`${P}:azcount`]: "2", [`${P}:nodeSize`]: "3", [`${P}:workloadCpuRequets`]: "1" },
        });
        assert.equal(run.error?.name, "ConfigError");
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            `${P}:azcount: is set, expected only keys that Pulumi.yaml declares; did you mean ${P}:azCount?`,
            `${P}:nodeSize: is set, expected only keys that Pulumi.yaml declares (see docs/configuration.md)`,
            `${P}:workloadCpuRequets: is set, expected only keys that Pulumi.yaml declares; did you mean ${P}:workloadCpuRequest?`,
        ]);
        assert.deepEqual(resourcesOf(run), []);
    });

    it("refuses a key in neither the project's namespace nor a provider's, such as one left from before a rename", async () => {
        const before = `${P}-old`;
        const run = await runStack("dev", {
            overrides: { [`${before}:nodeMaxSize`]: "5", [`${P.replace(/-/g, "_")}_:azCount`]: "2" },
        });
        const expected = (key: string, namespace: string, name: string) =>
            `${key}: is set in namespace ${namespace}:, expected the project's, ${P}: (the name in Pulumi.yaml), or a provider's (aws:, docker:, kubernetes:, pulumi:); did you mean ${P}:${name}?`;
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            expected(`${before}:nodeMaxSize`, before, "nodeMaxSize"),
            expected(`${P.replace(/-/g, "_")}_:azCount`, `${P.replace(/-/g, "_")}_`, "azCount"),
        ]);
        assert.deepEqual(resourcesOf(run), []);
    });

    it("refuses a provider's namespace misspelled, and only notes another tool's namespace", async () => {
        const run = await runStack("dev", {
            overrides: { "kuberentes:context": "kind", "acme-esc:team": "payments" },
        });
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            `kuberentes:context: is set in namespace kuberentes:, expected the project's, ${P}: (the name in Pulumi.yaml), or a provider's (aws:, docker:, kubernetes:, pulumi:); did you mean kubernetes:context?`,
        ]);
        const { values } = loadStackConfig("dev");
        const merged: Record<string, string> = { ...values, "acme-esc:team": "payments" };
        const config = parseConfig(
            (ns, key) => merged[`${ns}:${key}`],
            P,
            "dev",
            Object.keys(merged),
            PREVIEW,
        );
        assert.deepEqual(
            config.notices.filter((n) => n.startsWith("acme-esc:")),
            ["acme-esc:team: is set in namespace acme-esc:, which this program reads nothing from"],
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

    it("refuses a renamed key with its new name, and registers nothing", async () => {
        const run = await runStack("dev", {
            overrides: { [`${P}:appCpuRequest`]: "1", [`${P}:ecrKeepImages`]: "5" },
        });
        assert.equal(run.error?.name, "ConfigError");
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            `${P}:appCpuRequest: is set, expected its new name ${P}:workloadCpuRequest (renamed; see CHANGELOG.md)`,
            `${P}:ecrKeepImages: is set, expected its new name ${P}:imageKeepCount (renamed; see CHANGELOG.md)`,
        ]);
        assert.deepEqual(resourcesOf(run), []);
    });

    it("refuses a removed key, saying what to set instead", async () => {
        const run = await runStack("dev", { overrides: { [`${P}:workloadReplicas`]: "3" } });
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            `${P}:workloadReplicas: is set, expected it unset: it was removed (the HorizontalPodAutoscaler owns the replica count; set workloadMinReplicas and workloadMaxReplicas; see CHANGELOG.md)`,
        ]);
        assert.deepEqual(resourcesOf(run), []);
    });

    it("refuses addonVersions, pointing at the table that pins add-ons per Kubernetes version", async () => {
        const run = await runStack("dev", {
            overrides: { [`${P}:addonVersions`]: '["coredns=v1.11.4-eksbuild.2"]' },
        });
        assert.match(
            run.error!.message,
            /addonVersions: is set, expected it unset: it was removed \(add-on versions are pinned per Kubernetes version in domain\/versions.ts/,
        );
        assert.deepEqual(resourcesOf(run), []);
    });

    it("every new name is a key Pulumi.yaml declares", () => {
        const declared = Object.keys(readProjectFile().config ?? {});
        for (const [old, renamed] of Object.entries(RENAMED_KEYS)) {
            assert.ok(declared.includes(renamed), renamed);
            assert.ok(!declared.includes(old), old);
        }
    });
});

describe("config: Kubernetes support runway", () => {
    const on = (day: string, deploying = false) => ({ today: new Date(`${day}T12:00:00Z`), deploying });
    const version = (v: string, policy = "STANDARD") => ({
        [`${P}:kubernetesVersion`]: v,
        [`${P}:upgradePolicy`]: policy,
    });

    it("defaults to the minor with the longest standard support, which has support left today", () => {
        const declared = readProjectFile().config!.kubernetesVersion.default;
        assert.equal(declared, newestVersion());
        assert.deepEqual(problemsOf({}, { today: new Date(), deploying: true }), []);
    });

    it("is the minor the end-to-end test's control plane runs", () => {
        const versions = fs.readFileSync(path.join(ROOT, "engine", "versions.env"), "utf8");
        const minor = /^KUBERNETES_VERSION=v(\d+\.\d+)\.\d+$/m.exec(versions)?.[1];
        assert.equal(minor, readProjectFile().config!.kubernetesVersion.default);
    });

    it("refuses a version past standard support under STANDARD, naming the date and both ways out", () => {
        assert.deepEqual(problemsOf(version("1.33"), on("2026-11-28")), [
            `${P}:kubernetesVersion: got "1.33", expected a version in standard support; 1.33's ended 2026-07-29: upgrade one minor at a time towards ${newestVersion()} (docs/operations.md, "Upgrading Kubernetes"), or set upgradePolicy: EXTENDED to pay for extended support until 2027-07-29`,
        ]);
    });

    it("allows it under EXTENDED, with a notice, and refuses it once extended support has ended too", () => {
        assert.deepEqual(parseDev(version("1.33", "EXTENDED"), on("2026-11-28")).notices, [
            `Kubernetes 1.33 is in extended support (billed as such) until 2027-07-29: upgrade one minor at a time towards ${newestVersion()} (docs/operations.md, "Upgrading Kubernetes").`,
        ]);
        assert.match(
            problemsOf(version("1.33", "EXTENDED"), on("2027-07-30"))[0],
            /1\.33's ended 2027-07-29/,
        );
    });

    it("warns under 90 days of standard support, and says nothing with more", () => {
        assert.match(
            parseDev(version("1.34"), on("2026-11-28")).notices[0],
            /leaves standard support in 4 days \(2026-12-02\)/,
        );
        assert.deepEqual(parseDev(version("1.35"), on("2026-11-28")).notices, []);
        assert.match(parseDev(version("1.35"), on("2027-01-01")).notices[0], /in 85 days/);
    });
});

describe("config: the prod endpoint placeholder", () => {
    const placeholder = { [`${P}:endpointPublicAccessCidrs`]: JSON.stringify([ENDPOINT_PLACEHOLDER]) };

    it("is what prod commits, so no documentation range stands in for a real CIDR", () => {
        assert.equal(
            loadStackConfig("prod").values[`${P}:endpointPublicAccessCidrs`],
            JSON.stringify([ENDPOINT_PLACEHOLDER]),
        );
    });

    it("lets a preview or the plan run, as a private-only endpoint, with a notice", () => {
        const config = parseDev(placeholder);
        assert.equal(config.target, "eks");
        if (config.target !== "eks") return;
        assert.deepEqual(config.cluster.endpointPublicAccessCidrs, []);
        assert.match(config.notices.join("\n"), /pulumi up refuses it until it is replaced/);
    });

    it("is refused by pulumi up, before any resource, with what to put there", async () => {
        assert.deepEqual(problemsOf(placeholder, { ...PREVIEW, deploying: true }), [
            `${P}:endpointPublicAccessCidrs: got "${ENDPOINT_PLACEHOLDER}", expected public CIDRs your CI runners' and operators' traffic comes from (or [] for a private-only endpoint, reached from inside the VPC); pulumi up refuses the placeholder`,
        ]);
        const run = await runStack("prod", { deploy: true });
        assert.match(run.error!.message, /endpointPublicAccessCidrs: got "REPLACE_WITH_YOUR_EGRESS_CIDRS"/);
        assert.deepEqual(resourcesOf(run), []);
    });
});

describe("numeric guards at their edges", () => {
    // [key, lowest allowed, highest allowed, other keys set so that only this one is at stake]
    const ranges: [string, number, number | undefined, Record<string, string>][] = [
        ["azCount", 2, 6, {}],
        ["nodeDiskSizeGiB", 20, 16384, {}],
        ["imageKeepCount", 1, 1000, {}],
        ["nodeMinSize", 0, undefined, { [`${P}:nodeDesiredSize`]: "1", [`${P}:nodeMaxSize`]: "3" }],
        ["nodeDesiredSize", 1, undefined, { [`${P}:nodeMinSize`]: "0", [`${P}:nodeMaxSize`]: "3" }],
        ["workloadMinReplicas", 1, undefined, {}],
    ];
    for (const [key, low, high, others] of ranges) {
        it(`${key}: ${low}${high === undefined ? " and up" : ` to ${high}`} accepted, ${low - 1}${high === undefined ? "" : ` and ${high + 1}`} refused`, () => {
            const at = (v: number) => problemsOf({ ...others, [`${P}:${key}`]: String(v) });
            assert.deepEqual(at(low), [], `${low}`);
            assert.match(
                at(low - 1).join("\n"),
                new RegExp(`^${P}:${key}: got ${low - 1}, expected an integer`),
            );
            if (high !== undefined) {
                assert.deepEqual(at(high), [], `${high}`);
                assert.match(
                    at(high + 1).join("\n"),
                    new RegExp(`^${P}:${key}: got ${high + 1}, expected an integer`),
                );
            }
        });
    }

    it("the capacity check: the HPA's maximum that exactly fills nodeMaxSize nodes is accepted, one more refused", async () => {
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
        const { holds } = fit(nodes, { ...workload, maxReplicas: 1 });
        const full = problemsOf({ [`${P}:workloadMaxReplicas`]: String(holds - 1) });
        assert.deepEqual(full, [], `workloadMaxReplicas=${holds - 1}`);
        const over = problemsOf({ [`${P}:workloadMaxReplicas`]: String(holds) });
        assert.equal(over.length, 1);
        assert.ok(
            over[0].startsWith(
                `${P}:workloadMaxReplicas: got ${holds}, expected at most ${holds - 1}: nodeMaxSize=${nodes.maxSize} nodes`,
            ),
            over[0],
        );
    });
});
