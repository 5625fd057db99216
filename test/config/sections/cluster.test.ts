// The cluster section: the Kubernetes version and its support runway, the endpoint's allowlist and
// prod's placeholder in it, and the roles that administer or view the cluster.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { LOG_RETENTION_DAYS } from "../../../components/platform/cluster";
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS, newestVersion, runway } from "../../../domain/versions";
import { ENDPOINT_PLACEHOLDER, cluster } from "../../../config/sections/cluster";
import { runStack } from "../../../offline";
import { ROOT, loadStackConfig, readProjectFile } from "../../../offline/stack-config";
import { P, PREVIEW, resourcesOf } from "../../helpers";
import { BadConfig, accepted, parseDev, problemsOf, read, refused, refusesEach } from "../helpers";

const ROLE = "arn:aws:iam::123456789012:role/admin";
const ALLOWED =
    "public CIDRs your CI runners' and operators' traffic comes from (or [] for a private-only endpoint, reached from inside the VPC)";

const cases: BadConfig[] = [
    [
        "log retention CloudWatch refuses",
        { [`${P}:logRetentionDays`]: "10" },
        `${P}:logRetentionDays: got 10, expected one of ${LOG_RETENTION_DAYS.join(", ")}`,
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
        `${P}:endpointPublicAccessCidrs: got "203.0.113.0/24", expected ${ALLOWED}, not a documentation range, 203.0.113.0/24`,
    ],
    [
        "private range in the endpoint allowlist",
        { [`${P}:endpointPublicAccessCidrs`]: '["10.20.0.0/16"]' },
        `${P}:endpointPublicAccessCidrs: got "10.20.0.0/16", expected ${ALLOWED}, not a private range, 10.0.0.0/8`,
    ],
    [
        "admin that is not a role ARN",
        { [`${P}:adminRoleArns`]: '["alice"]' },
        `${P}:adminRoleArns: got "alice", expected IAM role ARNs such as arn:aws:iam::123456789012:role/admin`,
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
        "an unquoted Kubernetes version, which YAML made a number",
        { [`${P}:kubernetesVersion`]: "1.3" },
        `${P}:kubernetesVersion: got "1.3", expected one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}, as a quoted string (YAML reads an unquoted version such as 1.30 as the number 1.3: write "1.30")`,
    ],
];

describe("config sections: the cluster, each bad value", () => refusesEach(cases));

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

    it("the kubeconfig's profile and role: empty (none) or well formed", () => {
        assert.equal(
            refused(cluster, { kubeconfigProfile: "my profile" }),
            `${P}:kubeconfigProfile: got "my profile", expected empty, or an AWS CLI profile name`,
        );
        assert.equal(
            refused(cluster, { kubeconfigRoleArn: "deploy" }),
            `${P}:kubeconfigRoleArn: got "deploy", expected empty, or an IAM role ARN`,
        );
        const set = accepted(cluster, { kubeconfigRoleArn: ROLE, kubeconfigProfile: "ops" });
        assert.deepEqual([set.kubeconfigRoleArn, set.kubeconfigProfile], [ROLE, "ops"]);
        const none = accepted(cluster, { kubeconfigRoleArn: "", kubeconfigProfile: "" });
        assert.deepEqual([none.kubeconfigRoleArn, none.kubeconfigProfile], [undefined, undefined]);
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

describe("config sections: the cluster's Kubernetes support runway", () => {
    const on = (day: string, deploying = false) => ({ today: new Date(`${day}T12:00:00Z`), deploying });
    const version = (v: string, policy = "STANDARD") => ({
        [`${P}:kubernetesVersion`]: v,
        [`${P}:upgradePolicy`]: policy,
    });
    const guide = `(docs/operations.md, "Upgrading Kubernetes")`;

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

    it("refuses a version past standard support under STANDARD, naming the dates and both ways out", () => {
        assert.deepEqual(problemsOf(version("1.33"), on("2026-11-28")), [
            `${P}:kubernetesVersion: got "1.33", expected a version in standard support; 1.33's ended 2026-07-29: upgrade towards ${newestVersion()}, or set upgradePolicy: EXTENDED to pay for support until 2027-07-29 ${guide}`,
        ]);
    });

    it("allows it under EXTENDED, with a notice, and refuses it once extended support has ended too", () => {
        assert.deepEqual(parseDev(version("1.33", "EXTENDED"), on("2026-11-28")).notices, [
            `Kubernetes 1.33 is in extended support (billed as such) until 2027-07-29: upgrade one minor at a time towards ${newestVersion()} ${guide}.`,
        ]);
        assert.match(
            problemsOf(version("1.33", "EXTENDED"), on("2027-07-30"))[0],
            /1\.33's ended 2027-07-29/,
        );
    });

    it("refuses a version whose support has ended", () => {
        const after = { today: new Date("2029-01-01T00:00:00Z"), deploying: false };
        assert.match(
            refused(cluster, { kubernetesVersion: "1.35" }, after),
            /^[\w-]+:kubernetesVersion: got "1\.35", expected a version with support left; 1\.35's ended 2028-03-27: /,
        );
    });

    it("no runway notice for a version when the upgrade policy is itself refused", () => {
        const { problems, notices } = read(cluster, { kubernetesVersion: "1.34", upgradePolicy: "LATEST" });
        assert.equal(problems.length, 1, problems.join("; "));
        assert.deepEqual(notices, []);
    });

    it("warns under 90 days of standard support, and says nothing with more", () => {
        assert.match(
            parseDev(version("1.34"), on("2026-11-28")).notices[0],
            /leaves standard support in 4 days \(2026-12-02\)/,
        );
        assert.deepEqual(parseDev(version("1.35"), on("2026-11-28")).notices, []);
        assert.match(parseDev(version("1.35"), on("2027-01-01")).notices[0], /in 85 days/);
    });

    it("warns of the end of standard support from the day fewer than RUNWAY_WARNING_DAYS are left", () => {
        const v = KUBERNETES_VERSIONS["1.35"];
        const end = Date.parse(v.endOfStandardSupport);
        const daysBefore = (n: number) => ({ today: new Date(end - n * 86_400_000), deploying: false });
        assert.equal(runway(v, daysBefore(RUNWAY_WARNING_DAYS).today).days, RUNWAY_WARNING_DAYS);
        assert.deepEqual(
            read(cluster, { kubernetesVersion: "1.35" }, daysBefore(RUNWAY_WARNING_DAYS)).notices,
            [],
        );
        assert.deepEqual(
            read(cluster, { kubernetesVersion: "1.35" }, daysBefore(RUNWAY_WARNING_DAYS - 1)).notices,
            [
                `Kubernetes 1.35 leaves standard support in ${RUNWAY_WARNING_DAYS - 1} days (2027-03-27): upgrade one minor at a time towards ${newestVersion()} ${guide}.`,
            ],
        );
    });
});

describe("config sections: the prod endpoint placeholder", () => {
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
            `${P}:endpointPublicAccessCidrs: got "${ENDPOINT_PLACEHOLDER}", expected ${ALLOWED}; pulumi up refuses the placeholder`,
        ]);
        const run = await runStack("prod", { deploy: true });
        assert.match(run.error!.message, /endpointPublicAccessCidrs: got "REPLACE_WITH_YOUR_EGRESS_CIDRS"/);
        assert.deepEqual(resourcesOf(run), []);
    });
});
