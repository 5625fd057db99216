// A deploy role and the stack's name: only its own name's certificate and records, and a former
// name's only when the bootstrap lists it as retired.
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { PublicName } from "../../../bootstrap/stackfiles";
import { requestTagsFor, taggedFor } from "../../iam";
import {
    NAME,
    certificateArn,
    certificateRequest,
    nameCalls,
    namedDeployRole,
    recordChange,
    validationName,
    zoneArn,
} from "./namecalls";
import { Call, STACKS, identity, loadRoles, notDecided } from "./roles";

before(loadRoles);

describe("deploy roles: a stack's name and no other", () => {
    it("no certificate or record for a stack whose file sets no name, nor in a zone that holds another's", async () => {
        for (const stack of STACKS)
            assert.deepEqual(
                await notDecided(
                    identity(`deploy-${stack}`),
                    nameCalls(stack, NAME).filter((c) => /^(acm|route53):/.test(c.action)),
                    "Denied",
                ),
                [],
                stack,
            );
    });

    it("a named stack's role: no other name, record type, zone, or another stack's certificate", async () => {
        const named = namedDeployRole("dev", NAME);
        const zone = zoneArn(NAME.hostedZoneId);
        const change = (names: string[], types: string[], resource = zone): Call => ({
            action: "route53:ChangeResourceRecordSets",
            on: [recordChange(resource, names, types, "UPSERT")],
        });
        const theirs = { action: "", resource: certificateArn(4), context: taggedFor("prod") };
        assert.deepEqual(
            await notDecided(
                named,
                [
                    change(["example.com"], ["A"]),
                    // Under the name, only ACM's validation record: no ACME challenge, no other label.
                    change([`_acme-challenge.${NAME.hostname}`], ["CNAME"]),
                    change([`www.${NAME.hostname}`], ["CNAME"]),
                    change([validationName("example.com")], ["CNAME"]),
                    change(["www.example.com"], ["CNAME"]),
                    change([NAME.hostname, "mail.example.com"], ["A"]),
                    change([NAME.hostname], ["MX"]),
                    change([NAME.hostname], ["NS"]),
                    change([NAME.hostname], ["A"], zoneArn("Z9999999999OTHERZONE")),
                    certificateRequest("dev", [NAME.hostname, "bank.example.net"]),
                    ...["acm:DeleteCertificate", "acm:DescribeCertificate"].map((action) => ({
                        action,
                        on: [theirs],
                    })),
                    {
                        action: "route53:GetHostedZone",
                        on: [{ action: "", resource: zoneArn("Z9999999999OTHERZONE") }],
                    },
                ],
                "Denied",
            ),
            [],
        );
    });
});

describe("deploy roles: certificates that are not the stack's own", () => {
    it("a named stack's role may neither tag a certificate that is not its own into its stack nor delete it", async () => {
        const named = namedDeployRole("dev", NAME);
        const untagged = { action: "", resource: certificateArn(9), context: {} };
        const theirs = { action: "", resource: certificateArn(4), context: taggedFor("prod") };
        assert.deepEqual(
            await notDecided(
                named,
                [untagged, theirs].flatMap((certificate) => [
                    {
                        action: "acm:AddTagsToCertificate",
                        on: [
                            { ...certificate, context: { ...certificate.context, ...requestTagsFor("dev") } },
                        ],
                    },
                    { action: "acm:DeleteCertificate", on: [certificate] },
                    {
                        action: "acm:RemoveTagsFromCertificate",
                        on: [
                            { ...certificate, context: { ...certificate.context, "aws:TagKeys": ["stack"] } },
                        ],
                    },
                ]),
                "Denied",
            ),
            [],
        );
    });
});

describe("deploy roles: a name the stack no longer has", () => {
    const OLD: PublicName = { hostname: "old.example.org", hostedZoneId: "Z0OLDZONE0123456789" };
    const deleteOf = (names: string[], types: string[], action = "DELETE"): Call => ({
        action: "route53:ChangeResourceRecordSets",
        on: [recordChange(zoneArn(OLD.hostedZoneId), names, types, action)],
    });

    for (const [what, name] of [
        ["a new name", NAME],
        ["no name", undefined],
    ] as const)
        it(`moving to ${what}, the role of a stack with retiredHostnames deletes the old name's records and its stack-tagged certificate, and nothing more of it`, async () => {
            const role = namedDeployRole("dev", name, [OLD]);
            const certificate = { action: "", resource: certificateArn(3), context: taggedFor("dev") };
            assert.deepEqual(
                await notDecided(
                    role,
                    [
                        deleteOf([OLD.hostname], ["A"]),
                        deleteOf([validationName(OLD.hostname)], ["CNAME"]),
                        {
                            action: "route53:ListResourceRecordSets",
                            on: [{ action: "", resource: zoneArn(OLD.hostedZoneId) }],
                        },
                        { action: "acm:DeleteCertificate", on: [certificate] },
                    ],
                    "Allowed",
                ),
                [],
            );
            assert.deepEqual(
                await notDecided(
                    role,
                    [
                        deleteOf([OLD.hostname], ["A"], "CREATE"),
                        deleteOf([OLD.hostname], ["A"], "UPSERT"),
                        deleteOf([`mail.${OLD.hostname}`], ["A"]),
                        deleteOf([OLD.hostname], ["MX"]),
                        certificateRequest("dev", [OLD.hostname]),
                    ],
                    "Denied",
                ),
                [],
            );
        });

    it("without retiredHostnames, a role whose stack left its name may not delete the old records", async () => {
        assert.deepEqual(
            await notDecided(namedDeployRole("dev", NAME), [deleteOf([OLD.hostname], ["A"])], "Denied"),
            [],
        );
    });
});
