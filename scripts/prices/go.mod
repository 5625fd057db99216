module flask-eks/scripts/prices

go 1.24

require github.com/LeanerCloud/ec2-instances-info v0.0.0-20250528091325-32acf84f42eb

require github.com/pkg/errors v0.9.1 // indirect

// The module declares itself as github.com/LeanerCloud/ec2-instances-info, but the Go proxy serves
// it only under the path of its author's fork.
replace github.com/LeanerCloud/ec2-instances-info => github.com/cristim/ec2-instances-info v0.0.0-20250528091325-32acf84f42eb
