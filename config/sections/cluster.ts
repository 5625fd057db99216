import { cidrProblem, reservedRangeOf } from "../../domain/cidr";
import {
    ControlPlaneSettings,
    LOG_RETENTION_DAYS,
    UPGRADE_POLICIES,
} from "../../components/platform/cluster";
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS, newestVersion, runway } from "../../domain/versions";
import { Reader, complete } from "../reader";

// The cluster section: the control plane's version and support, who reaches its endpoint, and who
// administers or views it.

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Stands in prod's committed file for the CIDRs only its owner knows; `pulumi up` refuses it. */
export const ENDPOINT_PLACEHOLDER = "REPLACE_WITH_YOUR_EGRESS_CIDRS";

/**
 * The CLI hands the program an unquoted YAML number as it reads it: `1.30` arrives as "1.3". Such a
 * value gets told so, since the stack file still shows 1.30.
 */
function unquoted(value: string): string {
    return /^\d+\.\d*[1-9]$/.test(value) || /^\d+$/.test(value)
        ? `, as a quoted string (YAML reads an unquoted version such as 1.30 as the number 1.3: write "1.30")`
        : "";
}

export function cluster(
    r: Reader,
): (ControlPlaneSettings & { adminRoleArns: string[]; deliveryRoles: boolean }) | undefined {
    const kubernetesVersion = r.check("kubernetesVersion", r.string("kubernetesVersion"), (v) =>
        v in KUBERNETES_VERSIONS
            ? undefined
            : `one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}${unquoted(v)}`,
    );
    const upgradePolicy = supportedVersion(r, kubernetesVersion, r.oneOf("upgradePolicy", UPGRADE_POLICIES));
    const endpointPublicAccessCidrs = endpointCidrs(r);
    const logRetentionDays = r.check("logRetentionDays", r.integer("logRetentionDays", 1), (v) =>
        LOG_RETENTION_DAYS.includes(v) ? undefined : `one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
    const deliveryRoles = r.boolean("deliveryRoles");
    const adminRoleArns = r.list(
        "adminRoleArns",
        ROLE_ARN,
        "IAM role ARNs such as arn:aws:iam::123456789012:role/admin",
    );
    let viewerRoleArns = r.list(
        "viewerRoleArns",
        ROLE_ARN,
        "IAM role ARNs such as arn:aws:iam::123456789012:role/flask-eks-preview",
    );
    const both = viewerRoleArns?.filter((arn) => adminRoleArns?.includes(arn)) ?? [];
    if (both.length > 0) {
        r.problem(
            "viewerRoleArns",
            both,
            "roles not also in adminRoleArns (a role has one access entry; an admin can read)",
        );
        viewerRoleArns = undefined;
    }
    // An empty profile or role means "none": the kubeconfig then leaves it out.
    const kubeconfigProfile = r.emptyOr("kubeconfigProfile", /^[\w.+-]+$/, "an AWS CLI profile name");
    const kubeconfigRoleArn = r.emptyOr("kubeconfigRoleArn", ROLE_ARN, "an IAM role ARN");
    const protect = r.boolean("protect");
    const containerInsights = r.boolean("containerInsights");
    return complete({
        kubernetesVersion,
        upgradePolicy,
        endpointPublicAccessCidrs,
        logRetentionDays,
        deliveryRoles,
        adminRoleArns,
        viewerRoleArns,
        kubeconfigProfile,
        kubeconfigRoleArn,
        protect,
        containerInsights,
    });
}

/**
 * The upgrade policy, if the version has support under it today. A version past standard support
 * is refused under STANDARD: EKS upgrades such a control plane itself, and the stack would then ask
 * for a downgrade. Under EXTENDED it is allowed, at the extended-support price (the plan shows it).
 */
function supportedVersion(
    r: Reader,
    version: string | undefined,
    policy: (typeof UPGRADE_POLICIES)[number] | undefined,
): (typeof UPGRADE_POLICIES)[number] | undefined {
    if (version === undefined || policy === undefined) return undefined;
    const now = runway(KUBERNETES_VERSIONS[version], r.situation.today);
    const newest = newestVersion();
    const guide = `(docs/operations.md, "Upgrading Kubernetes")`;
    const upgrade = `upgrade one minor at a time towards ${newest} ${guide}`;
    if (now.phase === "ended") {
        r.problem(
            "kubernetesVersion",
            version,
            `a version with support left; ${version}'s ended ${now.until}: ${upgrade}`,
        );
        return undefined;
    }
    if (now.phase === "extended" && policy === "STANDARD") {
        const ended = KUBERNETES_VERSIONS[version].endOfStandardSupport;
        const extended = `set upgradePolicy: EXTENDED to pay for support until ${now.until}`;
        r.problem(
            "kubernetesVersion",
            version,
            `a version in standard support; ${version}'s ended ${ended}: upgrade towards ${newest}, or ${extended} ${guide}`,
        );
        return undefined;
    }
    if (now.phase === "extended") {
        r.notices.push(
            `Kubernetes ${version} is in extended support (billed as such) until ${now.until}: ${upgrade}.`,
        );
    } else if (now.days < RUNWAY_WARNING_DAYS) {
        r.notices.push(
            `Kubernetes ${version} leaves standard support in ${now.days} days (${now.until}): ${upgrade}.`,
        );
    }
    return policy;
}

/**
 * Public CIDRs allowed to reach the API endpoint. Documentation and private ranges are refused: no
 * request reaches a public endpoint from them, so the stack could not reach its own cluster. The
 * placeholder passes a preview or the plan as a private-only endpoint, with a notice.
 */
function endpointCidrs(r: Reader): string[] | undefined {
    const cidrs = r.list("endpointPublicAccessCidrs");
    if (cidrs === undefined) return undefined;
    const want =
        "public CIDRs your CI runners' and operators' traffic comes from (or [] for a private-only endpoint, reached from inside the VPC)";
    let valid = true;
    for (const cidr of cidrs) {
        if (cidr === ENDPOINT_PLACEHOLDER) {
            if (r.situation.deploying) {
                r.problem("endpointPublicAccessCidrs", cidr, `${want}; pulumi up refuses the placeholder`);
                valid = false;
            } else {
                r.notices.push(
                    `endpointPublicAccessCidrs holds the placeholder ${ENDPOINT_PLACEHOLDER}: this preview shows a private-only endpoint, and pulumi up refuses it until it is replaced.`,
                );
            }
            continue;
        }
        if (r.check("endpointPublicAccessCidrs", cidr, (v) => cidrProblem(v, 0, 32)) === undefined) {
            valid = false;
            continue;
        }
        const reserved = reservedRangeOf(cidr);
        if (reserved) {
            r.problem("endpointPublicAccessCidrs", cidr, `${want}, not ${reserved}`);
            valid = false;
        }
    }
    return valid ? cidrs.filter((c) => c !== ENDPOINT_PLACEHOLDER) : undefined;
}
