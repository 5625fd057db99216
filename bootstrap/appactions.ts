// The part of the table (actions.ts) an app stack asks of AWS. A leaf: imports nothing.

/**
 * What an app stack (layer app) registers and looks up: its repository and image, its role by Pod
 * Identity, and with hostname its certificate and records. Its deploy role gets these alone; the
 * rest of the table is the cluster's, which its platform stack makes.
 */
export const APP_RESOURCE_TYPES = [
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "docker:index/image:Image",
    "aws:iam/role:Role",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/record:Record",
];
export const APP_LOOKUPS = [
    "aws:index/getPartition:getPartition",
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:ecr/getAuthorizationToken:getAuthorizationToken",
    "aws:lb/getLoadBalancer:getLoadBalancer",
    "aws:iam/getPolicy:getPolicy",
];
