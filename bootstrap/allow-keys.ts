// A role's KMS statements: keys made with the scope's tags, read by them, and changed only through
// their own policy.
import { Scope, scopeTerms } from "./scope";
import { Sorter, is, service } from "./statements";

/** What a deploy role does to its stack's KMS key through the key's policy, not its own. */
const KEY_POLICY_GRANTS = new Set([
    "kms:EnableKeyRotation",
    "kms:UpdateKeyDescription",
    "kms:PutKeyPolicy",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CreateGrant",
    "kms:RetireGrant",
]);

/** The scope's keys; with `write`, ECR's grants on its managed key too, and none of what the key's policy grants. */
export function allowKeys(sort: Sorter, s: Scope, write: boolean): void {
    const { arn, tags } = scopeTerms(s);
    const keys = arn("kms", "key/*");
    sort.add("CreateKeysTaggedForThisStack", is("kms:CreateKey"), "*", tags("aws:RequestTag"));
    // CreateKey's tags are authorized as a TagResource against every key of the region: the scope's
    // tags only, on a key carrying no other stack's. Tagging grants nothing else (below).
    sort.add("TagKeysWhileCreatingThem", is("kms:TagResource"), keys, {
        ...tags("aws:RequestTag"),
        ...tags("aws:ResourceTag", "StringEqualsIfExists"),
    });
    // ECR encrypts the repository with its AWS managed key (aws/ecr), which carries no tags: the
    // grants it makes on it, on the caller's behalf.
    if (write)
        sort.add(
            "EcrsManagedKeyThroughEcr",
            is("kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"),
            keys,
            {
                StringEquals: { "kms:ViaService": `ecr.${s.region}.amazonaws.com` },
                Null: { "aws:ResourceTag/stack": "true" },
            },
            true,
        );
    // What changes a key (its policy, rotation, grants, deletion) comes from the key's own policy,
    // which names the stack's deploy role (components/platform/cluster.ts): granted here by tag, any
    // key of the account the role had tagged would be its to change.
    if (write) sort.drop((a) => KEY_POLICY_GRANTS.has(a));
    sort.add("ThisStacksKeys", service("kms"), keys, tags("aws:ResourceTag"));
}
