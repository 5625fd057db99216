// A role's IAM statements: roles and OIDC providers tagged for the scope, and roles only within its
// boundary (boundary.ts), as a delegated IAM administrator's are. denies.ts keeps them so whatever
// else the account grants.
import { Scope, scopeTerms } from "./scope";
import { Sorter, is, service } from "./statements";

/** The tag keys the program puts on IAM roles (its provider's default tags): the only ones a deploy role sets. */
export const ROLE_TAG_KEYS = ["project", "stack", "managed-by"];

/** The scope's roles, made and changed within its boundary, with only the managed policies it attaches; its OIDC providers; reading the boundary. */
export function allowIam(sort: Sorter, s: Scope): void {
    const { iamArn, tags } = scopeTerms(s);
    const roles = iamArn("role/*");
    const withinBoundary = { "iam:PermissionsBoundary": s.boundaryArn };
    const tagged = tags("aws:ResourceTag").StringEquals;
    const roleTagKeys = { "ForAllValues:StringEquals": { "aws:TagKeys": ROLE_TAG_KEYS } };
    sort.add("CreateRolesWithTheBoundary", is("iam:CreateRole"), roles, {
        ...tags("aws:RequestTag"),
        ArnEquals: withinBoundary,
        ...roleTagKeys,
    });
    sort.add(
        "ChangeThisStacksRolesWithinTheBoundary",
        is("iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"),
        roles,
        { StringEquals: tagged, ArnEquals: withinBoundary },
    );
    sort.add("AttachOnlyTheseManagedPolicies", is("iam:AttachRolePolicy"), roles, {
        StringEquals: tagged,
        ArnEquals: { ...withinBoundary, "iam:PolicyARN": s.managedPolicyArns },
    });
    sort.add("TagThisStacksRoles", is("iam:TagRole"), roles, {
        ...tags("aws:ResourceTag"),
        ...tags("aws:RequestTag", "StringEqualsIfExists"),
        ...roleTagKeys,
    });
    const oidcProviders = iamArn(`oidc-provider/oidc.eks.${s.region}.amazonaws.com/id/*`);
    sort.add(
        "CreateOidcProvidersTaggedForThisStack",
        is("iam:CreateOpenIDConnectProvider"),
        oidcProviders,
        tags("aws:RequestTag"),
    );
    sort.add("TagThisStacksOidcProviders", is("iam:TagOpenIDConnectProvider"), oidcProviders, {
        ...tags("aws:ResourceTag"),
        ...tags("aws:RequestTag", "StringEqualsIfExists"),
    });
    sort.add(
        "ThisStacksOidcProviders",
        (a) => /OpenIDConnectProvider/.test(a),
        oidcProviders,
        tags("aws:ResourceTag"),
    );
    sort.add(
        "ThisStacksRoles",
        (a) => service("iam")(a) && a !== "iam:GetPolicy",
        roles,
        tags("aws:ResourceTag"),
    );
    // The program checks the boundary exists before it registers anything.
    sort.add("ReadTheBoundary", is("iam:GetPolicy"), s.boundaryArn);
}
