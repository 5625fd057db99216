// What a stack's own up and destroy ask of EKS, ECR, CloudWatch Logs and KMS.
import { ACCOUNT, REGION, Request, requestTagsFor } from "../../iam";
import { Call, keyPolicies, requestsFor } from "./roles";

/** The calls on the stack's cluster, its image's repository, its control plane's log group and its key. */
export function serviceCalls(stack: string): Call[] {
    const { r, existing, calls } = requestsFor(stack);
    // ECR's AWS managed key (aws/ecr): no tags, and its policy lets the account use it through ECR.
    const ecrKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0e1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b`;
    const throughEcr = {
        resource: ecrKey,
        context: { "kms:ViaService": `ecr.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT },
        resourcePolicy: {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"],
                    Resource: "*",
                    Condition: {
                        StringEquals: {
                            "kms:ViaService": `ecr.${REGION}.amazonaws.com`,
                            "kms:CallerAccount": ACCOUNT,
                        },
                    },
                },
            ],
        },
    };
    // The stack's key, with the policy the program gives it.
    const stackKey = { resourcePolicy: keyPolicies[stack] };
    const key = (extra = {}): Request => ({ ...existing(r.key, extra), ...stackKey });
    return [
        // ---- the cluster, by its name ----
        { action: "eks:CreateCluster", on: [{ action: "", resource: "*", context: requestTagsFor(stack) }] },
        ...calls(
            [
                "eks:DescribeCluster",
                "eks:ListTagsForResource",
                "eks:UpdateClusterConfig",
                "eks:UpdateClusterVersion",
                "eks:DescribeUpdate",
                "eks:UntagResource",
                "eks:DeleteCluster",
                "eks:CreateNodegroup",
                "eks:ListNodegroups",
                "eks:CreateAddon",
                "eks:CreateAccessEntry",
            ],
            existing(r.cluster),
        ),
        { action: "eks:TagResource", on: [existing(r.cluster, requestTagsFor(stack))] },
        ...calls(
            [
                "eks:DescribeNodegroup",
                "eks:UpdateNodegroupConfig",
                "eks:UpdateNodegroupVersion",
                "eks:DeleteNodegroup",
            ],
            existing(r.nodegroup),
        ),
        ...calls(["eks:DescribeAddon", "eks:UpdateAddon", "eks:DeleteAddon"], existing(r.addon)),
        ...calls(
            [
                "eks:DescribeAccessEntry",
                "eks:UpdateAccessEntry",
                "eks:DeleteAccessEntry",
                "eks:AssociateAccessPolicy",
                "eks:DisassociateAccessPolicy",
                "eks:ListAssociatedAccessPolicies",
            ],
            existing(r.accessEntry),
        ),
        // EKS uses the cluster's key on the caller's behalf.
        ...calls(
            ["kms:DescribeKey", "kms:CreateGrant"],
            key({ "kms:ViaService": `eks.${REGION}.amazonaws.com` }),
        ),

        // ---- the image's repository, by its name; ECR's grants on its AWS managed key ----
        {
            action: "ecr:CreateRepository",
            on: [{ action: "", resource: r.repository, context: requestTagsFor(stack) }],
        },
        ...calls(
            [
                "ecr:DescribeRepositories",
                "ecr:ListTagsForResource",
                "ecr:PutImageScanningConfiguration",
                "ecr:PutImageTagMutability",
                "ecr:UntagResource",
                "ecr:GetLifecyclePolicy",
                "ecr:PutLifecyclePolicy",
                "ecr:DeleteLifecyclePolicy",
                "ecr:BatchCheckLayerAvailability",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:DeleteRepository",
            ],
            existing(r.repository),
        ),
        { action: "ecr:TagResource", on: [existing(r.repository, requestTagsFor(stack))] },
        ...calls(["kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant"], { action: "", ...throughEcr }),

        // ---- the control plane's log group, by its name ----
        {
            action: "logs:CreateLogGroup",
            on: [{ action: "", resource: r.logGroup, context: requestTagsFor(stack) }],
        },
        ...calls(
            [
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:ListTagsForResource",
                "logs:UntagResource",
                "logs:DeleteLogGroup",
            ],
            existing(r.logGroup),
        ),
        { action: "logs:TagResource", on: [existing(r.logGroup, requestTagsFor(stack))] },

        // ---- the secrets key: made with the stack's tags, then changed while it has them ----
        { action: "kms:CreateKey", on: [{ action: "", resource: "*", context: requestTagsFor(stack) }] },
        // CreateKey's Tags are authorized as a TagResource of the key being made.
        {
            action: "kms:TagResource",
            on: [{ action: "", resource: r.key, context: requestTagsFor(stack), ...stackKey }],
        },
        ...calls(
            [
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
                "kms:EnableKeyRotation",
                "kms:UpdateKeyDescription",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
            ],
            key(),
        ),
        { action: "kms:UntagResource", on: [key({ "aws:TagKeys": ["managed-by"] })] },
    ];
}
