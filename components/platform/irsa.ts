import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OidcProvider, irsaTrustPolicy } from "./trust";

/** An IAM role that exactly one Kubernetes service account may assume through IRSA. */
export function irsaRole(
    name: string,
    oidc: OidcProvider,
    namespace: pulumi.Input<string>,
    serviceAccount: string,
    parent: pulumi.Resource,
    description?: string,
): aws.iam.Role {
    return new aws.iam.Role(
        name,
        { description, assumeRolePolicy: irsaTrustPolicy(oidc, namespace, serviceAccount) },
        { parent },
    );
}
