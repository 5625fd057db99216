// A stack with its own name (hostname in its file; none of the committed stacks has one): what its
// certificate and records ask of AWS, and its deploy role as the bootstrap makes it then.
import * as path from "node:path";
import { LOOKUP_ACTIONS } from "../../../bootstrap/actions";
import { parseBootstrapConfig } from "../../../bootstrap/config";
import type { PublicName } from "../../../bootstrap/stackfiles";
import { deployPolicies } from "../../../bootstrap/permissions";
import { deployScope } from "../../../bootstrap/roles";
import { ROOT, loadStackConfig } from "../../../offline/stack-config";
import { ACCOUNT, REGION, Request, requestTagsFor, taggedFor } from "../../iam";
import { Call, Identity, identity } from "./roles";

export const NAME: PublicName = { hostname: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };
export const zoneArn = (id: string) => `arn:aws:route53:::hostedzone/${id}`;
export const certificateArn = (n: number) =>
    `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/${n}b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e`;

/** ACM's validation record for a name: an underscore, 32 hex digits, the name. */
export const validationName = (name: string) => `_0a1b2c3d4e5f60718293a4b5c6d7e8f9.${name}`;

/** A stack's deploy role as the bootstrap makes it when the stack's file sets `name` (and it had `retired`). */
export function namedDeployRole(
    stack: string,
    name: PublicName | undefined,
    retired: PublicName[] = [],
): Identity {
    const values = loadStackConfig("example", path.join(ROOT, "bootstrap")).values;
    const config = parseBootstrapConfig(
        (ns, key) => values[`${ns}:${key}`],
        "flask-eks-bootstrap",
        "example",
    );
    const policies = deployPolicies(
        deployScope(
            stack,
            {
                ...config,
                publicNames: name ? { [stack]: name } : {},
                retiredNames: { [stack]: retired },
            },
            { partition: "aws", account: ACCOUNT },
        ),
    );
    return { ...identity(`deploy-${stack}`), policies: [policies.inline, policies.iam] };
}

/** A change of records in a zone: their names, types and what is done to them. */
export function recordChange(zone: string, names: string[], types: string[], action: string): Request {
    return {
        action: "",
        resource: zone,
        context: {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": names,
            "route53:ChangeResourceRecordSetsRecordTypes": types,
            "route53:ChangeResourceRecordSetsActions": [action],
        },
    };
}

/** A request for a certificate of `domains`, tagged for `stack`, validated by DNS. */
export function certificateRequest(stack: string, domains: string[]): Call {
    return {
        action: "acm:RequestCertificate",
        on: [
            {
                action: "",
                resource: "*",
                context: {
                    ...requestTagsFor(stack),
                    "acm:ValidationMethod": "DNS",
                    "acm:DomainNames": domains,
                },
            },
        ],
    };
}

/** The calls the stack's name adds: its certificate, validated by a record, and the alias to the NLB. */
export function nameCalls(stack: string, name: PublicName): Call[] {
    const certificate = certificateArn(stack.length);
    const zone = zoneArn(name.hostedZoneId);
    const mine = { action: "", resource: certificate, context: taggedFor(stack) };
    const record = (recordName: string, type: string) => recordChange(zone, [recordName], [type], "CREATE");
    return [
        certificateRequest(stack, [name.hostname]),
        {
            action: "acm:AddTagsToCertificate",
            on: [{ ...mine, context: { ...taggedFor(stack), ...requestTagsFor(stack, ["owner"]) } }],
        },
        ...["acm:DescribeCertificate", "acm:ListTagsForCertificate", "acm:DeleteCertificate"].map(
            (action) => ({
                action,
                on: [mine],
            }),
        ),
        {
            action: "acm:RemoveTagsFromCertificate",
            on: [{ ...mine, context: { ...taggedFor(stack), "aws:TagKeys": ["managed-by"] } }],
        },
        { action: "route53:ChangeResourceRecordSets", on: [record(validationName(name.hostname), "CNAME")] },
        { action: "route53:ChangeResourceRecordSets", on: [record(name.hostname, "A")] },
        ...["route53:GetHostedZone", "route53:ListResourceRecordSets"].map((action) => ({
            action,
            on: [{ action: "", resource: zone }],
        })),
        {
            action: "route53:GetChange",
            on: [{ action: "", resource: "arn:aws:route53:::change/C0123456789ABCDEF" }],
        },
        ...LOOKUP_ACTIONS["aws:lb/getLoadBalancer:getLoadBalancer"].map((action) => ({
            action,
            on: [{ action: "", resource: "*" }],
        })),
    ];
}
