// npm run data:prices: writes plan/ec2-prices.json, the On-Demand Linux price per hour of every EC2
// instance type the config knows (domain/data/instance-types.json) in every commercial region
// (config/regions.ts), from the ec2instances.info dataset as the Go module
// github.com/LeanerCloud/ec2-instances-info embeds it. The AWS Price List API
// (pricing.us-east-1.amazonaws.com) could not be reached where this was written; the Go module proxy
// could. The other prices of the plan (EKS, NAT gateways, NLB, EBS, logs, KMS, ECR) are not in the
// dataset and stay hand-kept in plan/pricing.json.
//
// Run from this directory (go run .) or through npm; it writes ../../plan/ec2-prices.json.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	ec2instancesinfo "github.com/LeanerCloud/ec2-instances-info"
)

const module = "github.com/LeanerCloud/ec2-instances-info"

// The date of the dataset each version of the module embeds: the module's last "Update instance
// type data" commit (f9eafba, 2025-04-24) before 32acf84. The module does not carry it, so a new
// version must be added here by hand, from the module's git history.
var datasetDates = map[string]string{
	"v0.0.0-20250528091325-32acf84f42eb": "2025-04-24",
}

func main() {
	if err := run(filepath.Join("..", "..")); err != nil {
		fmt.Fprintf(os.Stderr, "data:prices: %v\n", err)
		os.Exit(1)
	}
}

func run(root string) error {
	version, path, err := moduleVersion()
	if err != nil {
		return err
	}
	date, ok := datasetDates[version]
	if !ok {
		return fmt.Errorf("%s %s: no dataset date known for this version; add it to datasetDates from the module's git history", module, version)
	}
	regions, err := commercialRegions(filepath.Join(root, "config", "regions.ts"))
	if err != nil {
		return err
	}
	known, err := instanceTypes(filepath.Join(root, "domain", "data", "instance-types.json"))
	if err != nil {
		return err
	}
	data, err := ec2instancesinfo.Data()
	if err != nil {
		return err
	}

	// type -> region -> USD per hour; a price of 0 is the dataset's "not offered there".
	prices := map[string]map[string]float64{}
	for _, instance := range *data {
		if !known[instance.InstanceType] {
			continue
		}
		for _, region := range regions {
			if p := instance.Pricing[region].Linux.OnDemand; p > 0 {
				if prices[instance.InstanceType] == nil {
					prices[instance.InstanceType] = map[string]float64{}
				}
				prices[instance.InstanceType][region] = p
			}
		}
	}
	var priced, unpriced []string
	for _, region := range regions {
		found := false
		for _, byRegion := range prices {
			if _, ok := byRegion[region]; ok {
				found = true
				break
			}
		}
		if found {
			priced = append(priced, region)
		} else {
			unpriced = append(unpriced, region)
		}
	}
	types := make([]string, 0, len(prices))
	for t := range prices {
		types = append(types, t)
	}
	sort.Strings(types)

	head := struct {
		Source          string   `json:"source"`
		Date            string   `json:"date"`
		Generator       string   `json:"generator"`
		Note            string   `json:"note"`
		RegionsUnpriced []string `json:"regionsUnpriced"`
		Regions         []string `json:"regions"`
	}{
		Source: fmt.Sprintf("Amazon EC2 On-Demand prices, Linux, USD per hour: the ec2instances.info dataset (MIT license) "+
			"as the Go module %s %s embeds it (served by the Go proxy as %s)", module, version, path),
		Date:      date,
		Generator: "scripts/prices (npm run data:prices)",
		Note: fmt.Sprintf("Types of domain/data/instance-types.json that the dataset prices in a commercial region of config/regions.ts; "+
			"one row per type, one column per region of \"regions\", null where the dataset has no price. "+
			"regionsUnpriced: commercial regions the dataset has no EC2 price for. %d types.", len(types)),
		RegionsUnpriced: orEmpty(unpriced),
		Regions:         priced,
	}
	var out bytes.Buffer
	encoded, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	out.Write(encoded[:len(encoded)-2]) // without "\n}"
	out.WriteString(",\n  \"types\": {\n")
	for i, t := range types {
		row := make([]any, len(priced))
		for j, region := range priced {
			if p, ok := prices[t][region]; ok {
				row[j] = p
			}
		}
		cells, err := json.Marshal(row)
		if err != nil {
			return err
		}
		name, _ := json.Marshal(t)
		sep := ","
		if i == len(types)-1 {
			sep = ""
		}
		fmt.Fprintf(&out, "    %s: %s%s\n", name, cells, sep)
	}
	out.WriteString("  }\n}\n")

	target := filepath.Join(root, "plan", "ec2-prices.json")
	if err := os.WriteFile(target, out.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("plan/ec2-prices.json: %d types, %d regions priced, none for %s (%d bytes)\n",
		len(types), len(priced), strings.Join(unpriced, ", "), out.Len())
	return nil
}

// moduleVersion is the dataset module's version and the path it was fetched from, as go.mod pins
// them (the replace directive), so the file names what it was made from.
func moduleVersion() (version, path string, err error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", "", fmt.Errorf("no build information; run with go run")
	}
	for _, dep := range info.Deps {
		if dep.Path != module {
			continue
		}
		if dep.Replace != nil {
			return dep.Replace.Version, dep.Replace.Path, nil
		}
		return dep.Version, dep.Path, nil
	}
	return "", "", fmt.Errorf("%s is not a dependency of this build", module)
}

// commercialRegions reads the region codes of COMMERCIAL_REGIONS, the config's list, so the table
// and the config agree on what a commercial region is.
func commercialRegions(file string) ([]string, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	list := regexp.MustCompile(`(?s)COMMERCIAL_REGIONS[^=]*=\s*\[(.*?)\]`).FindSubmatch(text)
	if list == nil {
		return nil, fmt.Errorf("%s: no COMMERCIAL_REGIONS array", file)
	}
	var regions []string
	for _, m := range regexp.MustCompile(`"([a-z]{2}(?:-[a-z]+)+-\d+)"`).FindAllSubmatch(list[1], -1) {
		regions = append(regions, string(m[1]))
	}
	if len(regions) < 30 {
		return nil, fmt.Errorf("%s: read only %d regions from COMMERCIAL_REGIONS", file, len(regions))
	}
	sort.Strings(regions)
	return regions, nil
}

func instanceTypes(file string) (map[string]bool, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var table struct {
		Types map[string]json.RawMessage `json:"types"`
	}
	if err := json.Unmarshal(text, &table); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	known := map[string]bool{}
	for t := range table.Types {
		known[t] = true
	}
	return known, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
