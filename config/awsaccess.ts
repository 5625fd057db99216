import { didYouMean } from "./nearest";
import { Reader, parseJson } from "./reader";

// The AWS credentials a stack's `aws:` config names. The program's AWS provider is explicit (default
// providers are off), and an explicit provider reads no `aws:` stack config of its own: each key it
// honours is passed to it here, and any other `aws:` key is refused rather than ignored in silence.

/** One role of `aws:assumeRoles`, the fields the program passes on. */
export interface AssumeRole {
    roleArn: string;
    sessionName?: string;
    externalId?: string;
    duration?: string;
    sourceIdentity?: string;
}

export interface AwsAccess {
    profile?: string;
    sharedCredentialsFiles?: string[];
    allowedAccountIds?: string[];
    assumeRoles?: AssumeRole[];
}

/** The `aws:` keys a stack may set: the region, and the four that choose the credentials. */
export const AWS_KEYS = ["region", "profile", "sharedCredentialsFiles", "allowedAccountIds", "assumeRoles"];

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ROLE_FIELDS: Record<keyof AssumeRole, { pattern: RegExp; expected: string }> = {
    roleArn: { pattern: ROLE_ARN, expected: "an IAM role ARN" },
    sessionName: { pattern: /^[\w+=,.@-]{2,64}$/, expected: "2 to 64 of letters, digits and +=,.@_-" },
    externalId: { pattern: /^[\w+=,.@:/-]{2,1224}$/, expected: "2 to 1224 of letters, digits and +=,.@:/_-" },
    duration: { pattern: /^(\d+h)?(\d+m)?(\d+s)?$/, expected: "a duration such as 1h or 15m" },
    sourceIdentity: { pattern: /^[\w+=,.@-]{2,64}$/, expected: "2 to 64 of letters, digits and +=,.@_-" },
};

function list(r: Reader, key: string, pattern: RegExp, expected: string): string[] | undefined {
    const raw = r.optional(key);
    if (raw === undefined) return undefined;
    const parsed = parseJson(raw);
    if (!Array.isArray(parsed) || parsed.length === 0 || parsed.some((x) => typeof x !== "string")) {
        r.problem(key, raw, `a non-empty list of ${expected}`);
        return undefined;
    }
    const bad = parsed.filter((x: string) => !pattern.test(x));
    bad.forEach((x) => r.problem(key, x, expected));
    return bad.length > 0 ? undefined : (parsed as string[]);
}

function assumeRoles(r: Reader): AssumeRole[] | undefined {
    const key = "aws:assumeRoles";
    const raw = r.optional(key);
    if (raw === undefined) return undefined;
    const parsed = parseJson(raw);
    const shape = `a list of one role, such as [{roleArn: arn:aws:iam::123456789012:role/deploy, sessionName: me}], with the fields ${Object.keys(ROLE_FIELDS).join(", ")}`;
    if (
        !Array.isArray(parsed) ||
        parsed.some((x) => typeof x !== "object" || x === null || Array.isArray(x))
    ) {
        r.problem(key, raw, shape);
        return undefined;
    }
    // The Kubernetes provider gets its token from `aws eks get-token --role-arn`, which assumes one
    // role: a chain would leave Pulumi's AWS and Kubernetes calls with different identities.
    if (parsed.length !== 1) {
        r.problem(
            key,
            parsed,
            "exactly one role (the cluster's token comes from aws eks get-token --role-arn, which assumes one)",
        );
        return undefined;
    }
    // Each problem is recorded; awsAccess returns nothing once there is one.
    const role = parsed[0] as Record<string, unknown>;
    for (const [field, value] of Object.entries(role)) {
        const rule = ROLE_FIELDS[field as keyof AssumeRole];
        if (!rule) r.problem(`${key}[0].${field}`, value, `only ${Object.keys(ROLE_FIELDS).join(", ")}`);
        else if (typeof value !== "string" || !rule.pattern.test(value))
            r.problem(`${key}[0].${field}`, value, rule.expected);
    }
    if (role.roleArn === undefined)
        r.problem(`${key}[0].roleArn`, undefined, "an IAM role ARN (each role needs one)");
    return [role as unknown as AssumeRole];
}

/** The credentials' keys, each validated; undefined once a problem is recorded. */
export function awsAccess(r: Reader, setKeys: string[]): AwsAccess | undefined {
    const problems = r.problems.length;
    const access: AwsAccess = {
        profile: r.check("aws:profile", r.optional("aws:profile"), (p) =>
            /^[\w.+-]+$/.test(p) ? undefined : "an AWS CLI profile name",
        ),
        sharedCredentialsFiles: list(r, "aws:sharedCredentialsFiles", /^\S+$/, "file paths"),
        allowedAccountIds: list(r, "aws:allowedAccountIds", /^\d{12}$/, "12-digit AWS account IDs"),
        assumeRoles: assumeRoles(r),
    };
    if ((access.sharedCredentialsFiles?.length ?? 0) > 1)
        r.problem(
            "aws:sharedCredentialsFiles",
            access.sharedCredentialsFiles,
            "one file (the cluster's token comes from aws eks get-token, which reads one: AWS_SHARED_CREDENTIALS_FILE)",
        );
    for (const key of setKeys.filter((k) => k.startsWith("aws:") && !AWS_KEYS.includes(k.slice(4)))) {
        const known = AWS_KEYS.map((k) => `aws:${k}`);
        const hint = didYouMean(key, known, "aws:") || ` (${known.join(", ")})`;
        r.problems.push(
            `${key}: is set, expected only the aws: keys the program passes to its AWS provider${hint}`,
        );
    }
    return r.problems.length > problems ? undefined : access;
}
