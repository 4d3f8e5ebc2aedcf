package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/session"
	"pix2pix/pkg/train"
)

// towerFlags are train's flags for several local devices (one tower
// each, in-graph replication).
func towerFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "devices", Usage: "train one tower per device, each on its own --batch_size images (the global batch is their sum): cpu:N, gpu:N or full TensorFlow device names, comma-separated, e.g. gpu:0,gpu:1", Category: catRuntime},
		&cli.StringFlag{Name: "variable-device", Usage: "with --devices: where the variables and optimisers live (default: the first tower's device), e.g. cpu:0", Category: catRuntime},
		&cli.IntFlag{Name: "virtual-cpus", Usage: "split the CPU into N TensorFlow CPU devices (cpu:0 .. cpu:N-1), for --devices cpu:0,cpu:1 on one machine", Category: catRuntime},
	}
}

// applyTowers reads the tower flags into o: the devices as full names,
// the session's virtual CPUs, and every GPU visible when a tower is on
// a GPU (so gpu:N is the machine's N-th).
func applyTowers(c *cli.Context, o *train.Options) error {
	o.Session.VirtualCPUs = c.Int("virtual-cpus")
	if o.Session.VirtualCPUs < 0 {
		return fmt.Errorf("--virtual-cpus must be >= 0 (got %d)", o.Session.VirtualCPUs)
	}
	if v := c.String("variable-device"); v != "" {
		vd, err := session.ParseDeviceList(v)
		if err != nil || len(vd) != 1 {
			return fmt.Errorf("--variable-device %q: want one device, e.g. cpu:0 or gpu:0", v)
		}
		o.VariableDevice = vd[0] // without --devices, train.Options refuses it
	}
	if c.String("devices") == "" {
		return nil
	}
	if c.IsSet("device") {
		return fmt.Errorf("give --devices (one tower per device) or --device (one device), not both")
	}
	devs, err := session.ParseDeviceList(c.String("devices"))
	if err != nil {
		return err
	}
	o.Devices = devs
	if session.HasGPU(append(o.Devices, o.VariableDevice)) {
		o.Session.Device, o.Session.AllGPUs = "gpu", true
	}
	return nil
}

// recordTowers adds the towers to options.json (only with --devices, so
// a one-device run's file is as before): the devices, and the global
// batch; batch_size stays the per-tower size, as test and infer read it.
func recordTowers(rec map[string]interface{}, o train.Options) {
	if len(o.Devices) == 0 {
		return
	}
	// One string: options.json holds the original's scalar values only.
	rec["devices"] = strings.Join(o.Devices, ",")
	rec["global_batch_size"] = o.GlobalBatch()
	if o.VariableDevice != "" {
		rec["variable_device"] = o.VariableDevice
	}
}
