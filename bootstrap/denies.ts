// What no deploy role may do, whatever else allows it: the denies that keep it a delegated
// administrator of its own stack and no more (the allow-*.ts files grant what it may).
import type { DeployScope, Statement } from "./scope";

/** The deploy role's Deny statements: the delivery roles, its boundary, role chaining, the stack's tags, locked keys. */
export function deployDenies(s: DeployScope): Statement[] {
    return [
        {
            Sid: "NeverTheDeliveryRolesOrTheirPolicies",
            Effect: "Deny",
            NotAction: ["iam:Get*", "iam:List*"],
            Resource: s.protectedArns,
        },
        {
            Sid: "NoRoleWithoutTheBoundary",
            Effect: "Deny",
            Action: [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:AttachRolePolicy",
                "iam:PutRolePermissionsBoundary",
            ],
            Resource: "*",
            Condition: { ArnNotEquals: { "iam:PermissionsBoundary": s.boundaryArn } },
        },
        {
            Sid: "NoBoundaryRemoved",
            Effect: "Deny",
            Action: ["iam:DeleteRolePermissionsBoundary"],
            Resource: "*",
        },
        {
            Sid: "NoRoleChaining",
            Effect: "Deny",
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Resource: "*",
        },
        {
            // EC2 deletes every tag of a resource when the call names none.
            Sid: "NoTagsRemovedWholesale",
            Effect: "Deny",
            Action: ["ec2:DeleteTags"],
            Resource: "*",
            Condition: { Null: { "aws:TagKeys": "true" } },
        },
        {
            Sid: "NeverRemoveTheStackTags",
            Effect: "Deny",
            Action: [
                "ec2:DeleteTags",
                "iam:UntagRole",
                "iam:UntagOpenIDConnectProvider",
                "kms:UntagResource",
            ],
            Resource: "*",
            Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": Object.keys(s.tags) } },
        },
        {
            Sid: "NoKeyLockedAgainstTheAccount",
            Effect: "Deny",
            Action: ["kms:CreateKey", "kms:PutKeyPolicy"],
            Resource: "*",
            Condition: { Bool: { "kms:BypassPolicyLockoutSafetyCheck": "true" } },
        },
    ];
}
