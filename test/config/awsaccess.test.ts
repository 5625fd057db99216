import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { awsAccess } from "../../config/awsaccess";
import { runStack, unwrapSecrets } from "../../offline";
import { okRun, one, readerOf, verdicts } from "../helpers";

// The stack's aws: credentials keys, which an explicit provider would otherwise ignore: each reaches
// the AWS provider, and the Kubernetes provider's token is taken with the same credentials.

const ROLE = "arn:aws:iam::123456789012:role/deploy";

async function providers(overrides: Record<string, string>) {
    const run = await okRun("dev", { overrides });
    const aws = unwrapSecrets(one(run, "pulumi:providers:aws").inputs) as Record<string, unknown>;
    const k8s = unwrapSecrets(one(run, "pulumi:providers:kubernetes").inputs) as { kubeconfig: string };
    return { aws, exec: JSON.parse(k8s.kubeconfig).users[0].user.exec, run };
}

/** The provider's inputs as the engine receives them: lists and objects JSON-encoded. */
const decoded = (v: unknown) => (typeof v === "string" && /^[[{]/.test(v) ? JSON.parse(v) : v);

describe("aws: credentials config", () => {
    it("aws:profile reaches the AWS provider, and the cluster's token is taken with it", async () => {
        const { aws, exec, run } = await providers({ "aws:profile": "team-dev" });
        assert.equal(aws.profile, "team-dev");
        assert.deepEqual(exec.env, [{ name: "AWS_PROFILE", value: "team-dev" }]);
        const exported = JSON.parse((run.outputs.kubeconfig as { value: string }).value);
        assert.deepEqual(
            exported.users[0].user.exec.env,
            exec.env,
            "kubectl uses it too, unless told otherwise",
        );
    });

    it("aws:assumeRoles reaches the AWS provider, and the token assumes the same role", async () => {
        const role = { roleArn: ROLE, sessionName: "laptop", externalId: "ext-42", duration: "1h" };
        const { aws, exec } = await providers({ "aws:assumeRoles": JSON.stringify([role]) });
        assert.deepEqual(decoded(aws.assumeRoles), [role]);
        assert.deepEqual(exec.args.slice(-2), ["--role-arn", ROLE]);
    });

    it("aws:sharedCredentialsFiles reaches the AWS provider, and the token reads the same file", async () => {
        const { aws, exec } = await providers({ "aws:sharedCredentialsFiles": '["/home/me/.aws/work"]' });
        assert.deepEqual(decoded(aws.sharedCredentialsFiles), ["/home/me/.aws/work"]);
        assert.deepEqual(exec.env, [{ name: "AWS_SHARED_CREDENTIALS_FILE", value: "/home/me/.aws/work" }]);
    });

    it("aws:allowedAccountIds reaches the AWS provider", async () => {
        const { aws } = await providers({ "aws:allowedAccountIds": '["123456789012"]' });
        assert.deepEqual(decoded(aws.allowedAccountIds), ["123456789012"]);
    });

    it("none set: the ambient credentials, and nothing extra in the provider", async () => {
        const { aws, exec } = await providers({});
        for (const key of ["profile", "assumeRoles", "sharedCredentialsFiles", "allowedAccountIds"])
            assert.equal(aws[key], undefined, key);
        assert.equal(exec.env, null);
    });

    const refused: [string, Record<string, string>, string][] = [
        [
            "a misspelt key",
            { "aws:assumeRole": JSON.stringify({ roleArn: ROLE }) },
            "aws:assumeRole: is set, expected only the aws: keys the program passes to its AWS provider; did you mean aws:assumeRoles?",
        ],
        [
            "a key the program does not pass on",
            { "aws:maxRetries": "5" },
            "aws:maxRetries: is set, expected only the aws: keys the program passes to its AWS provider (aws:region, aws:profile, aws:sharedCredentialsFiles, aws:allowedAccountIds, aws:assumeRoles)",
        ],
        [
            "a role chain",
            { "aws:assumeRoles": JSON.stringify([{ roleArn: ROLE }, { roleArn: ROLE }]) },
            `aws:assumeRoles: got [{"roleArn":"${ROLE}"},{"roleArn":"${ROLE}"}], expected exactly one role (the cluster's token comes from aws eks get-token --role-arn, which assumes one)`,
        ],
        [
            "a role field the program does not pass on",
            { "aws:assumeRoles": JSON.stringify([{ roleArn: ROLE, policy: "{}" }]) },
            'aws:assumeRoles[0].policy: got "{}", expected only roleArn, sessionName, externalId, duration, sourceIdentity',
        ],
        [
            "a role without an ARN",
            { "aws:assumeRoles": JSON.stringify([{ sessionName: "me" }]) },
            "aws:assumeRoles[0].roleArn: got undefined, expected an IAM role ARN (each role needs one)",
        ],
        [
            "an account ID that is not 12 digits",
            { "aws:allowedAccountIds": '["12345"]' },
            'aws:allowedAccountIds: got "12345", expected 12-digit AWS account IDs',
        ],
        [
            "two credentials files",
            { "aws:sharedCredentialsFiles": '["/a","/b"]' },
            `aws:sharedCredentialsFiles: got ["/a","/b"], expected one file (the cluster's token comes from aws eks get-token, which reads one: AWS_SHARED_CREDENTIALS_FILE)`,
        ],
        [
            "a profile name with a space",
            { "aws:profile": "my profile" },
            'aws:profile: got "my profile", expected an AWS CLI profile name',
        ],
    ];
    for (const [what, overrides, line] of refused) {
        it(`refuses ${what}, before any resource registers`, async () => {
            const run = await runStack("dev", { overrides });
            assert.ok(run.error, "the program ran");
            assert.ok(run.error.message.split("\n").includes(`  - ${line}`), run.error.message);
            assert.equal(run.registrations.filter((r) => r.custom).length, 0);
        });
    }
});

/** The problems awsAccess records for some aws: keys, and what it returns. */
function access(values: Record<string, unknown>) {
    const reader = readerOf("aws", values);
    return {
        result: awsAccess(
            reader,
            Object.keys(values).map((k) => `aws:${k}`),
        ),
        problems: reader.problems,
    };
}
const { accepted, refusedOnce: refused } = verdicts(access);

describe("aws: credentials config at its edges", () => {
    const role = (fields: Record<string, unknown>) => ({ assumeRoles: [{ roleArn: ROLE, ...fields }] });

    it("session names and source identities: 2 to 64 of letters, digits and +=,.@_-", () => {
        for (const field of ["sessionName", "sourceIdentity"]) {
            accepted(role({ [field]: "ab" }));
            accepted(role({ [field]: "x".repeat(64) }));
            accepted(role({ [field]: "a+b=c,d.e@f_g-h9" }));
            refused(role({ [field]: "a" }));
            refused(role({ [field]: "x".repeat(65) }));
            refused(role({ [field]: "a b" }));
            refused(role({ [field]: "a/b" }));
        }
    });

    it("external IDs: 2 to 1224 characters, : and / allowed", () => {
        accepted(role({ externalId: "ab" }));
        accepted(role({ externalId: "x".repeat(1224) }));
        accepted(role({ externalId: "urn:a/b+c=d,e.f@g_h-9" }));
        refused(role({ externalId: "a" }));
        refused(role({ externalId: "x".repeat(1225) }));
        refused(role({ externalId: "a b" }));
    });

    it("durations in hours, minutes and seconds", () => {
        for (const duration of ["1h", "15m", "30s", "1h30m", "2h0m10s"]) accepted(role({ duration }));
        for (const duration of ["1d", "h", "15", "30s1h", " 1h"]) refused(role({ duration }));
    });

    it("role ARNs of any partition, with a path; no user, no short account", () => {
        accepted({ assumeRoles: [{ roleArn: "arn:aws-us-gov:iam::123456789012:role/team/deploy" }] });
        accepted({ assumeRoles: [{ roleArn: "arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h" }] });
        for (const roleArn of [
            "arn:aws:iam::12345678901:role/deploy",
            "arn:aws:iam::123456789012:user/deploy",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a b",
            "xarn:aws:iam::123456789012:role/deploy",
        ])
            refused({ assumeRoles: [{ roleArn }] });
        refused({ assumeRoles: [{ roleArn: 42 }] });
    });

    it("a role list is a list of objects", () => {
        for (const assumeRoles of [{ roleArn: ROLE }, [ROLE], [null], [[ROLE]], "not json"])
            refused({ assumeRoles });
    });

    it("account IDs: a non-empty list of 12 digits each", () => {
        accepted({ allowedAccountIds: ["123456789012", "000000000000"] });
        for (const allowedAccountIds of [
            ["12345678901"],
            ["1234567890123"],
            ["12345678901a"],
            [],
            [123456789012],
            "123456789012",
        ])
            refused({ allowedAccountIds });
    });

    it("a credentials file is a path without spaces; a profile a name of letters, digits and ._+-", () => {
        accepted({ sharedCredentialsFiles: ["/home/me/.aws/credentials"], profile: "team_a.dev+1-x" });
        refused({ sharedCredentialsFiles: ["/home/me/my credentials"] });
        refused({ profile: "team/dev" });
    });

    it("names the role's field and what it takes", () => {
        const expects = (fields: Record<string, unknown>, field: string, got: string, expected: string) =>
            assert.equal(
                refused(role(fields)),
                `aws:assumeRoles[0].${field}: got ${got}, expected ${expected}`,
            );
        expects({ roleArn: "deploy" }, "roleArn", '"deploy"', "an IAM role ARN");
        expects({ sessionName: "a" }, "sessionName", '"a"', "2 to 64 of letters, digits and +=,.@_-");
        expects({ externalId: "a" }, "externalId", '"a"', "2 to 1224 of letters, digits and +=,.@:/_-");
        expects({ duration: "1d" }, "duration", '"1d"', "a duration such as 1h or 15m");
        expects({ sourceIdentity: "a" }, "sourceIdentity", '"a"', "2 to 64 of letters, digits and +=,.@_-");
        // A number whose digits would pass the pattern is still not a string.
        expects({ sessionName: 12345 }, "sessionName", "12345", "2 to 64 of letters, digits and +=,.@_-");
    });

    it("durations of two-digit hours, as the role's 12-hour maximum needs", () => {
        accepted(role({ duration: "12h" }));
    });

    it("says what a role list is, and what a list of IDs or files is", () => {
        const shape =
            "a list of one role, such as [{roleArn: arn:aws:iam::123456789012:role/deploy, sessionName: me}], with the fields roleArn, sessionName, externalId, duration, sourceIdentity";
        assert.equal(refused({ assumeRoles: "deploy" }), `aws:assumeRoles: got "deploy", expected ${shape}`);
        assert.equal(
            refused({ assumeRoles: [{ roleArn: ROLE }, 5] }),
            `aws:assumeRoles: got ${JSON.stringify(JSON.stringify([{ roleArn: ROLE }, 5]))}, expected ${shape}`,
        );
        assert.equal(
            refused({ allowedAccountIds: ["123456789012", 5] }),
            'aws:allowedAccountIds: got "[\\"123456789012\\",5]", expected a non-empty list of 12-digit AWS account IDs',
        );
    });

    it("names each bad credentials file once, and no count problem for a list already refused", () => {
        const { result, problems } = access({ sharedCredentialsFiles: ["/a b", "/c d"] });
        assert.equal(result, undefined);
        assert.deepEqual(problems, [
            'aws:sharedCredentialsFiles: got "/a b", expected file paths',
            'aws:sharedCredentialsFiles: got "/c d", expected file paths',
        ]);
    });

    it("suggests a key within a third of its length without the aws: prefix, else lists them all", () => {
        // "rgionxx" is 3 edits from "region": near for its 11 characters with the prefix, not its 7.
        const { problems } = access({ rgionxx: "x" });
        assert.deepEqual(problems, [
            "aws:rgionxx: is set, expected only the aws: keys the program passes to its AWS provider (aws:region, aws:profile, aws:sharedCredentialsFiles, aws:allowedAccountIds, aws:assumeRoles)",
        ]);
    });

    it("returns what it read when nothing is wrong", () => {
        const { result } = access({
            profile: "dev",
            allowedAccountIds: ["123456789012"],
            ...role({ sessionName: "me" }),
        });
        assert.deepEqual(result, {
            profile: "dev",
            sharedCredentialsFiles: undefined,
            allowedAccountIds: ["123456789012"],
            assumeRoles: [{ roleArn: ROLE, sessionName: "me" }],
        });
    });
});
