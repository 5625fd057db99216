// What an app stack's own up and destroy ask of AWS, on its platform's cluster (dev-platform's).
import { ACCOUNT, REGION, requestTagsFor, stackResources, taggedFor } from "../../iam";
import { P } from "../../helpers";
import { Call, requestsFor } from "./roles";

export const PLATFORM = "dev-platform";
const platform = stackResources(PLATFORM);
export const association = (stack: string) => ({
    action: "",
    resource: `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/${P}-${PLATFORM}/a-${stack.length}bcdefghij0123456`,
    context: taggedFor(stack),
});

/** The calls an app stack's up and destroy make. */
export function appCalls(stack: string): Call[] {
    const { r, boundary, created, existing, calls } = requestsFor(stack);
    const repository = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${P}-${stack}/${stack.slice(4)}`;
    return [
        {
            action: "ecr:CreateRepository",
            on: [{ action: "", resource: repository, context: requestTagsFor(stack) }],
        },
        ...calls(["ecr:PutImage", "ecr:PutLifecyclePolicy", "ecr:DeleteRepository"], existing(repository)),
        {
            action: "iam:CreateRole",
            on: [{ action: "", resource: r.role, context: { ...requestTagsFor(stack), ...boundary } }],
        },
        { action: "iam:DeleteRole", on: [existing(r.role)] },
        {
            action: "iam:PassRole",
            on: [existing(r.role, { "iam:PassedToService": "pods.eks.amazonaws.com" })],
        },
        { action: "eks:CreatePodIdentityAssociation", on: [created(platform.cluster)] },
        ...calls(
            [
                "eks:DescribePodIdentityAssociation",
                "eks:UpdatePodIdentityAssociation",
                "eks:DeletePodIdentityAssociation",
            ],
            association(stack),
        ),
        { action: "iam:GetPolicy", on: [{ action: "", resource: r.boundary }] },
    ];
}
