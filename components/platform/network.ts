import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { intToIpv4, ipv4ToInt } from "../../domain/cidr";

export const NAT_GATEWAYS = ["none", "single", "perAz"] as const;
export type NatGateways = (typeof NAT_GATEWAYS)[number];

/** A VPC and subnets made elsewhere, adopted instead of creating any. */
export interface ExistingVpc {
    vpcId: string;
    publicSubnetIds: string[];
    privateSubnetIds: string[];
}

/** The network's settings, as the stack config gives them (defaults: Pulumi.yaml). */
export interface NetworkSettings {
    /** IPv4 CIDR of the new VPC, /16 to /22. */
    vpcCidr: string;
    /** Availability zones to span, 2 to 6. */
    azCount: number;
    /** NAT gateways for the private subnets: none, single or perAz. */
    natGateways: NatGateways;
    /** Adopt this VPC and its subnets instead of creating any; then azCount, vpcCidr and natGateways are unused. */
    existing?: ExistingVpc;
}

export interface NetworkArgs extends NetworkSettings {
    /** Name of the EKS cluster that will use the subnets; goes into the kubernetes.io/cluster tag. */
    clusterName: string;
}

/**
 * Where a subnet sits inside the VPC CIDR. Private subnets take the first six eighths (a /19 each in a
 * /16: room for the VPC CNI's pod IPs); public subnets take /22-sized slices (a 64th each) of the seventh
 * eighth, since they hold only load balancers and NAT gateways. Indexes are fixed per AZ, so adding an AZ
 * never moves an existing subnet.
 */
export function subnetCidr(vpcCidr: string, tier: "private" | "public", azIndex: number): string {
    const [address, prefixText] = vpcCidr.split("/");
    const prefix = Number(prefixText);
    const [newBits, index] = tier === "private" ? [3, azIndex] : [6, 6 * 8 + azIndex];
    const size = 2 ** (32 - prefix - newBits);
    const base = ipv4ToInt(address.split(".").map(Number));
    return `${intToIpv4(base + index * size)}/${prefix + newBits}`;
}

/** A VPC with one public and one private subnet per AZ, or an adopted one. */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** The VPC's IPv4 CIDRs (an adopted VPC may have several): the nodes' addresses, and (with the VPC CNI) every pod's. */
    readonly vpcCidrs: pulumi.Output<string[]>;
    /** Public subnets: internet-facing load balancers and NAT gateways only; nothing gets a public IP on launch. */
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Their CIDRs: an internet-facing NLB's own addresses, from which it health-checks its targets. */
    readonly publicSubnetCidrs: pulumi.Output<string[]>;
    /** Private subnets: the nodes and the control plane's network interfaces. */
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /**
     * The same private subnets, resolved only once their routes and NAT gateways exist: nodes need
     * the route out to reach ECR and join the cluster, the control plane does not.
     */
    readonly privateSubnetIdsWithEgress: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Network", name, {}, opts);
        const made = args.existing ? adoptedVpc(args.existing, this) : newVpc(args, this);
        this.vpcId = made.vpcId;
        this.vpcCidrs = made.vpcCidrs;
        this.publicSubnetIds = made.publicSubnetIds;
        this.publicSubnetCidrs = made.publicSubnetCidrs;
        this.privateSubnetIds = made.privateSubnetIds;
        this.privateSubnetIdsWithEgress = made.privateSubnetIdsWithEgress;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }
}

/** What the Network component gives the rest of the stack. */
type NetworkOutputs = Pick<
    Network,
    | "vpcId"
    | "vpcCidrs"
    | "publicSubnetIds"
    | "publicSubnetCidrs"
    | "privateSubnetIds"
    | "privateSubnetIdsWithEgress"
>;

/** A VPC the stack adopts: its subnets as given, their CIDRs looked up. */
function adoptedVpc(existing: NonNullable<NetworkArgs["existing"]>, network: Network): NetworkOutputs {
    const privateSubnetIds = pulumi.output(existing.privateSubnetIds);
    return {
        vpcId: pulumi.output(existing.vpcId),
        vpcCidrs: aws.ec2
            .getVpcOutput({ id: existing.vpcId }, { parent: network })
            .cidrBlockAssociations.apply((associations) => associations.map((a) => a.cidrBlock)),
        publicSubnetIds: pulumi.output(existing.publicSubnetIds),
        publicSubnetCidrs: pulumi.all(
            existing.publicSubnetIds.map(
                (id) => aws.ec2.getSubnetOutput({ id }, { parent: network }).cidrBlock,
            ),
        ),
        privateSubnetIds,
        privateSubnetIdsWithEgress: privateSubnetIds,
    };
}

/** A new VPC: public and private subnets in each AZ, an internet gateway and NAT gateways. */
function newVpc(args: NetworkArgs, network: Network): NetworkOutputs {
    const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
    const zones = availableZones(args.azCount, network);

    const vpc = new aws.ec2.Vpc(
        "vpc",
        {
            cidrBlock: args.vpcCidr,
            // EKS needs both for nodes to resolve the cluster endpoint's private name.
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: { Name: args.clusterName },
        },
        { parent: network },
    );

    // The default security group is attached to nothing of ours; strip its allow-all rules so that
    // nothing placed in the VPC later is open by accident.
    new aws.ec2.DefaultSecurityGroup("default-sg", { vpcId: vpc.id }, { parent: network });

    const igw = new aws.ec2.InternetGateway("igw", { vpcId: vpc.id }, { parent: network });
    const publicRoutes = new aws.ec2.RouteTable(
        "public",
        {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags: { Name: "public" },
        },
        { parent: network },
    );

    // One subnet of a tier in an AZ, tagged for the load balancers of its tier, on its route table.
    const subnetIn = (tier: "public" | "private", i: number, routeTableId: pulumi.Input<string>) => {
        const role = tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
        const subnet = new aws.ec2.Subnet(
            `${tier}-${i}`,
            {
                vpcId: vpc.id,
                availabilityZone: zones[i],
                cidrBlock: subnetCidr(args.vpcCidr, tier, i),
                mapPublicIpOnLaunch: false,
                tags: { ...clusterTag, [role]: "1", Name: `${tier}-${i}` },
            },
            { parent: network },
        );
        const association = new aws.ec2.RouteTableAssociation(
            `${tier}-${i}`,
            { subnetId: subnet.id, routeTableId },
            { parent: network },
        );
        return { subnet, association };
    };

    const azs = Array.from({ length: args.azCount }, (_, i) => i);
    const publicSubnets = azs.map((i) => subnetIn("public", i, publicRoutes.id).subnet);

    const natCount = { none: 0, single: 1, perAz: args.azCount }[args.natGateways];
    const nats = Array.from({ length: natCount }, (_, i) => {
        const eip = new aws.ec2.Eip(`nat-${i}`, { domain: "vpc" }, { parent: network });
        return new aws.ec2.NatGateway(
            `nat-${i}`,
            { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: { Name: `nat-${i}` } },
            { parent: network, dependsOn: [igw] },
        );
    });

    // The config allows natGateways none only with an adopted VPC, so a created one has a NAT.
    const privateSubnets = azs.map((i) => {
        // One table per AZ whatever the NAT mode, so switching modes only changes routes.
        const nat = nats[i % nats.length];
        const routes = new aws.ec2.RouteTable(
            `private-${i}`,
            {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
                tags: { Name: `private-${i}` },
            },
            { parent: network },
        );
        return subnetIn("private", i, routes.id);
    });

    const privateSubnetIds = pulumi.all(privateSubnets.map((p) => p.subnet.id));
    const egress = [...privateSubnets.map((p) => p.association.id), ...nats.map((n) => n.id)];
    return {
        vpcId: vpc.id,
        vpcCidrs: pulumi.all([vpc.cidrBlock]),
        publicSubnetIds: pulumi.all(publicSubnets.map((s) => s.id)),
        publicSubnetCidrs: pulumi.all(publicSubnets.map((s) => s.cidrBlock)),
        privateSubnetIds,
        privateSubnetIdsWithEgress: pulumi.all([privateSubnetIds, pulumi.all(egress)]).apply(([ids]) => ids),
    };
}

/** The region's zones that need no opt-in; fails the update if there are fewer than `count`. */
function availableZones(count: number, parent: pulumi.Resource): pulumi.Output<string[]> {
    return aws
        .getAvailabilityZonesOutput(
            { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            { parent },
        )
        .names.apply((names) => {
            if (names.length < count) {
                throw new Error(
                    `azCount is ${count} but the region has ${names.length} available zones (${names.join(", ")})`,
                );
            }
            return names;
        });
}
