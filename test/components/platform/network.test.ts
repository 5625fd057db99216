import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runStack } from "../../../offline";
import { loadStackConfig } from "../../../offline/stack-config";
import { subnetCidr } from "../../../components/platform/network";
import { cidrProblem, contains, intToIpv4, ipv4ToInt } from "../../../domain/cidr";
import { P, all, eksStacks, inputs, okRun, one, providerUrn, waitsFor } from "../../helpers";

function range(cidr: string): [number, number] {
    const [ip, prefix] = cidr.split("/");
    const start = ipv4ToInt(ip.split(".").map(Number));
    return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

describe("subnet layout", () => {
    it("carves non-overlapping network addresses inside the VPC for six AZs, /16 to /22", () => {
        for (const vpc of ["10.0.0.0/16", "172.16.0.0/20", "192.168.4.0/22"]) {
            const subnets = [0, 1, 2, 3, 4, 5].flatMap((i) => [
                subnetCidr(vpc, "private", i),
                subnetCidr(vpc, "public", i),
            ]);
            const [lo, hi] = range(vpc);
            const ranges = subnets.map(range).sort((a, b) => a[0] - b[0]);
            for (const [i, [start, end]] of ranges.entries()) {
                assert.ok(start >= lo && end <= hi, `${intToIpv4(start)} outside ${vpc}`);
                if (i > 0) assert.ok(start > ranges[i - 1][1], `overlap in ${vpc}`);
            }
            subnets.forEach((s) => assert.equal(cidrProblem(s, 16, 28), undefined, s));
        }
        assert.equal(subnetCidr("10.0.0.0/16", "private", 1), "10.0.32.0/19");
        assert.equal(subnetCidr("10.0.0.0/16", "public", 0), "10.0.192.0/22");
    });
});

for (const stack of eksStacks()) {
    describe(`network (${stack})`, () => {
        const config = loadStackConfig(stack).values;
        const azCount = Number(config[`${P}:azCount`]);
        const vpcCidr = config[`${P}:vpcCidr`];

        it("creates a VPC from the configured CIDR with DNS support", async () => {
            const vpc = inputs(one(await okRun(stack), "aws:ec2/vpc:Vpc"));
            assert.equal(vpc.cidrBlock, vpcCidr);
            assert.equal(vpc.enableDnsHostnames, true);
            assert.equal(vpc.enableDnsSupport, true);
        });

        it("gives each AZ one public and one private subnet, in distinct AZs, CIDRs from the VPC's", async () => {
            const subnets = all(await okRun(stack), "aws:ec2/subnet:Subnet").map(inputs);
            for (const tier of ["public", "private"] as const) {
                const tierSubnets = subnets.filter((s) => s.tags.Name.startsWith(tier));
                assert.equal(tierSubnets.length, azCount);
                assert.equal(new Set(tierSubnets.map((s) => s.availabilityZone)).size, azCount);
                assert.deepEqual(
                    tierSubnets.map((s) => s.cidrBlock).sort(),
                    Array.from({ length: azCount }, (_, i) => subnetCidr(vpcCidr, tier, i)).sort(),
                );
            }
        });

        it("tags subnets for load balancers and the cluster, and maps no public IPs", async () => {
            for (const s of all(await okRun(stack), "aws:ec2/subnet:Subnet").map(inputs)) {
                const role = s.tags.Name.startsWith("public")
                    ? "kubernetes.io/role/elb"
                    : "kubernetes.io/role/internal-elb";
                assert.equal(s.tags[role], "1", s.tags.Name);
                assert.equal(s.tags[`kubernetes.io/cluster/${P}-${stack}`], "shared", s.tags.Name);
                assert.equal(s.mapPublicIpOnLaunch, false, s.tags.Name);
            }
        });

        it("routes public subnets to the internet gateway and private ones to NAT per natGateways", async () => {
            const run = await okRun(stack);
            const igw = one(run, "aws:ec2/internetGateway:InternetGateway");
            const tables = all(run, "aws:ec2/routeTable:RouteTable");
            const publicTable = inputs(tables.find((t) => t.name === "public")!);
            assert.deepEqual(publicTable.routes, [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }]);
            const nats = all(run, "aws:ec2/natGateway:NatGateway");
            const expected = { none: 0, single: 1, perAz: azCount }[config[`${P}:natGateways`] as "none"];
            assert.equal(nats.length, expected);
            const privateTables = tables.filter((t) => t.name.startsWith("private-")).map(inputs);
            assert.equal(privateTables.length, azCount);
            const used = new Set(privateTables.map((t) => t.routes[0]?.natGatewayId));
            assert.deepEqual([...used].sort(), nats.map((n) => n.id).sort());
            for (const t of privateTables)
                assert.deepEqual(t.routes, [
                    { cidrBlock: "0.0.0.0/0", natGatewayId: t.routes[0].natGatewayId },
                ]);
            // A NAT gateway in a public subnet routes out only once the internet gateway is attached.
            for (const nat of nats) assert.ok(nat.dependencies.includes(igw.urn), nat.name);
            assert.equal(all(run, "aws:ec2/routeTableAssociation:RouteTableAssociation").length, 2 * azCount);
        });

        it("nodes wait for their route out; the control plane does not wait for NAT", async () => {
            const run = await okRun(stack);
            const nodes = one(run, "aws:eks/nodeGroup:NodeGroup");
            for (const nat of all(run, "aws:ec2/natGateway:NatGateway"))
                assert.ok(nodes.dependencies.includes(nat.urn));
            for (const assoc of all(run, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) =>
                a.name.startsWith("private-"),
            )) {
                assert.ok(nodes.dependencies.includes(assoc.urn), assoc.name);
            }
            const cluster = one(run, "aws:eks/cluster:Cluster");
            for (const nat of all(run, "aws:ec2/natGateway:NatGateway"))
                assert.equal(waitsFor(run, cluster, nat), false);
        });

        it("spreads over as many zones as the region has, up to six", async () => {
            const run = await okRun(stack, { overrides: { [`${P}:azCount`]: "6" } });
            const zones = all(run, "aws:ec2/subnet:Subnet").map((s) => inputs(s).availabilityZone);
            assert.equal(new Set(zones).size, 6);
        });

        it("strips the rules from the VPC's own default security group, not the account's default VPC's", async () => {
            const run = await okRun(stack);
            const sg = inputs(one(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"));
            assert.equal(sg.vpcId, one(run, "aws:ec2/vpc:Vpc").id);
            assert.equal(sg.ingress, undefined);
            assert.equal(sg.egress, undefined);
        });

        it("attaches the internet gateway to the VPC, and puts each NAT gateway in a public subnet with its own VPC address", async () => {
            const run = await okRun(stack);
            const vpc = one(run, "aws:ec2/vpc:Vpc");
            assert.equal(inputs(one(run, "aws:ec2/internetGateway:InternetGateway")).vpcId, vpc.id);
            const publicSubnets = all(run, "aws:ec2/subnet:Subnet").filter((s) =>
                s.name.startsWith("public-"),
            );
            const eips = all(run, "aws:ec2/eip:Eip");
            for (const [i, nat] of all(run, "aws:ec2/natGateway:NatGateway").map(inputs).entries()) {
                assert.equal(nat.subnetId, publicSubnets[i].id);
                assert.equal(nat.allocationId, eips[i].id);
            }
            for (const eip of eips) assert.equal(inputs(eip).domain, "vpc", eip.name);
        });

        it("looks up only the region's zones that need no opt-in, through the stack's AWS provider", async () => {
            const run = await okRun(stack);
            const lookup = run.invokes.find(
                (i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones",
            )!;
            assert.deepEqual(lookup.inputs, {
                state: "available",
                filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
            });
        });
    });
}

describe("network modes", () => {
    it("natGateways=none is for an adopted VPC only: a created one without NAT has nodes that never join", async () => {
        const created = await runStack("dev", { overrides: { [`${P}:natGateways`]: "none" } });
        assert.match(created.error!.message, /natGateways: got "none", expected single or perAz/);
        const adopted = await okRun("dev", {
            overrides: {
                [`${P}:natGateways`]: "none",
                [`${P}:vpcId`]: "vpc-0123456789abcdef0",
                [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
                [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
            },
        });
        assert.equal(all(adopted, "aws:ec2/natGateway:NatGateway").length, 0);
    });

    it("adopting a VPC creates no network resource and puts nodes in the given private subnets", async () => {
        const privateIds = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
        const run = await okRun("dev", {
            overrides: {
                [`${P}:vpcId`]: "vpc-0123456789abcdef0",
                [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
                [`${P}:privateSubnetIds`]: JSON.stringify(privateIds),
            },
        });
        assert.deepEqual(
            run.registrations
                .filter(
                    (r) =>
                        r.type.startsWith("aws:ec2/") && r.type !== "aws:ec2/launchTemplate:LaunchTemplate",
                )
                .map((r) => r.type),
            [],
        );
        assert.deepEqual(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).subnetIds, privateIds);
        assert.deepEqual(inputs(one(run, "aws:eks/cluster:Cluster")).vpcConfig.subnetIds, privateIds);
        // The VPC's CIDRs and its public subnets' (for the NLB's health checks) are read through the
        // stack's AWS provider, like every lookup.
        const aws = one(run, "pulumi:providers:aws").urn;
        const lookups = run.invokes.filter((i) => /^aws:ec2\/get(Vpc|Subnet):/.test(i.token));
        assert.equal(lookups.length, 1 + 2);
        for (const i of lookups) assert.equal(providerUrn(i.provider ?? ""), aws, i.token);
    });
});

describe("the Network component's own", () => {
    it("holds every network resource it makes as its own child, and registers what it exports", async () => {
        const run = await okRun("dev");
        const network = one(run, "flask-eks:index:Network");
        const made = run.registrations.filter(
            (r) =>
                r.custom &&
                r.type.startsWith("aws:ec2/") &&
                r.type !== "aws:ec2/launchTemplate:LaunchTemplate",
        );
        assert.ok(made.length > 10, String(made.length));
        for (const r of made.filter((r) => !r.type.endsWith("routeTableAssociation:RouteTableAssociation")))
            assert.equal(r.parent, network.urn, `${r.type} ${r.name}`);
        assert.deepEqual(Object.keys(run.componentOutputs[network.urn]).sort(), [
            "privateSubnetIds",
            "publicSubnetIds",
            "vpcId",
        ]);
    });

    it("names its route tables and NAT gateways in the console by their role and zone", async () => {
        const run = await okRun("staging");
        const names = (type: string) =>
            all(run, type)
                .map((r) => inputs(r).tags.Name)
                .sort();
        assert.deepEqual(names("aws:ec2/routeTable:RouteTable"), [
            "private-0",
            "private-1",
            "private-2",
            "public",
        ]);
        assert.deepEqual(names("aws:ec2/natGateway:NatGateway"), ["nat-0", "nat-1", "nat-2"]);
    });

    it("reads an adopted VPC's CIDRs through its own provider", async () => {
        const run = await okRun("dev", {
            overrides: {
                [`${P}:vpcId`]: "vpc-0123456789abcdef0",
                [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
                [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
            },
        });
        const lookup = run.invokes.find((i) => i.token === "aws:ec2/getVpc:getVpc");
        assert.equal(providerUrn(lookup?.provider ?? ""), one(run, "pulumi:providers:aws").urn);
    });
});

describe("CIDR containment", () => {
    it("holds a range's own subnets and itself, at every prefix down to /0", () => {
        assert.ok(contains("0.0.0.0/0", "10.30.0.0/16"));
        assert.ok(contains("10.0.0.0/8", "10.30.0.0/16"));
        assert.ok(contains("10.30.0.0/16", "10.30.0.0/16"));
        assert.ok(contains("10.30.0.0/16", "10.30.192.0/22"));
    });

    it("does not hold a wider range, a neighbour, or a range beside it", () => {
        assert.ok(!contains("10.30.0.0/16", "10.0.0.0/8"));
        assert.ok(!contains("10.30.0.0/16", "10.31.0.0/16"));
        assert.ok(!contains("203.0.113.0/24", "10.30.0.0/16"));
        assert.ok(!contains("10.30.192.0/22", "10.30.196.0/22"));
    });
});

describe("an adopted VPC and the app's NLB", () => {
    const publicIds = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"];
    const adopted = () =>
        okRun("dev", {
            overrides: {
                [`${P}:vpcId`]: "vpc-0123456789abcdef0",
                [`${P}:publicSubnetIds`]: JSON.stringify(publicIds),
                [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
            },
        });

    it("puts the NLB in the given public subnets, and admits its health checks from theirs", async () => {
        const run = await adopted();
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        assert.equal(
            service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-subnets"],
            publicIds.join(","),
        );
        const policy = inputs(one(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "web"));
        // The mocks give each subnet id a /20 of 172.31.0.0/16, as AWS would answer.
        assert.deepEqual(
            policy.spec.ingress[0].from.slice(1).map((f: { ipBlock: { cidr: string } }) => f.ipBlock.cidr),
            ["172.31.32.0/20", "172.31.48.0/20"],
        );
    });

    it("leaves every CIDR of the VPC, secondary ones included, out of the client ranges", async () => {
        const policy = inputs(one(await adopted(), "kubernetes:networking.k8s.io/v1:NetworkPolicy", "web"));
        assert.deepEqual(policy.spec.ingress[0].from[0], {
            ipBlock: { cidr: "0.0.0.0/0", except: ["172.31.0.0/16", "100.64.0.0/16"] },
        });
    });
});
