"""A course workflow driven by Debian's python3-proxmoxer against a simulated datacenter:
create a cluster, join a node, add NFS storage, create a VM, snapshot it, put it under HA,
migrate it, and wait for HA to recover it after its node loses power (the test harness pulls
the plug when this script asks on stdout). Configuration comes from the environment."""
import json
import os
import sys
import time

from proxmoxer import ProxmoxAPI

PASSWORD = os.environ["SIM_PASSWORD"]
NODES = json.loads(os.environ["SIM_NODES"])  # [{name, port, ca}]


def api(node, ca=None):
    info = next(n for n in NODES if n["name"] == node)
    return ProxmoxAPI("127.0.0.1", port=info["port"], user="root@pam", password=PASSWORD,
                      verify_ssl=ca or info["ca"], timeout=30)


def step(text):
    print(f"STEP {text}", flush=True)


def wait_task(client, node, upid, limit=600):
    for _ in range(limit * 5):
        status = client.nodes(node).tasks(upid).status.get()
        if status["status"] == "stopped":
            if status.get("exitstatus") != "OK":
                raise SystemExit(f"task {upid} failed: {status.get('exitstatus')}")
            return
        time.sleep(0.2)
    raise SystemExit(f"task {upid} still running")


def until(what, check, limit=600):
    for _ in range(limit * 5):
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


n1 = api("node1")
step("create cluster")
wait_task(n1, "node1", n1.cluster.config.post(clustername="lab"))
fingerprint = next(n["pve_fp"] for n in n1.cluster.config.join.get()["nodelist"] if n["name"] == "node1")

step("join node2 and node3")
node1_ca = next(n["ca"] for n in NODES if n["name"] == "node1")
for name in ("node2", "node3"):
    upid = api(name).cluster.config.join.post(hostname="192.168.56.11", fingerprint=fingerprint, password=PASSWORD)
    # The task runs on the joining node; node1 proxies the status calls to it.
    wait_task(n1, name, upid)


def verified_by_cluster_ca(name):
    # The join restarted the node's pveproxy with a certificate from the cluster's CA: node1's CA
    # file verifies it now.
    try:
        return api(name, ca=node1_ca).version.get()
    except Exception:
        return None


for name in ("node2", "node3"):
    until(f"{name} verified by the cluster CA", lambda: verified_by_cluster_ca(name))
assert len([n for n in n1.cluster.status.get() if n["type"] == "node"]) == 3

step("add NFS storage")
n1.storage.post(storage="nas", type="nfs", server="192.168.56.20", export="/mnt/tank/pve", content="images,iso")
assert any(s["storage"] == "nas" and s["active"] == 1 for s in n1.nodes("node2").storage.get())

step("create VM")
vmid = int(n1.cluster.nextid.get())
wait_task(n1, "node1", n1.nodes("node1").qemu.post(vmid=vmid, name="web", memory=512,
                                                    scsi0="nas:1,format=qcow2", net0="virtio,bridge=vmbr0"))
config = n1.nodes("node1").qemu(vmid).config.get()
assert config["net0"].startswith("virtio=BC:24:11:"), config["net0"]

step("snapshot")
wait_task(n1, "node1", n1.nodes("node1").qemu(vmid).snapshot.post(snapname="clean"))
assert [s["name"] for s in n1.nodes("node1").qemu(vmid).snapshot.get()] == ["clean", "current"]

step("HA")
n1.cluster.ha.resources.post(sid=f"vm:{vmid}")
until("VM running under HA", lambda: n1.nodes("node1").qemu(vmid).status.current.get()["status"] == "running")

step("migrate")
n1.cluster.ha.resources(f"vm:{vmid}").migrate.post(node="node2")


def located():
    for r in n1.cluster.resources.get(type="vm"):
        if r["vmid"] == vmid:
            return r
    return None


until("VM on node2", lambda: (located() or {}).get("node") == "node2" and located()["status"] == "running")

step("failover")
print("FAULT poweroff node2", flush=True)
assert sys.stdin.readline().strip() == "done"
recovered = until("VM recovered", lambda: (lambda r: r if r and r["node"] != "node2" and r["status"] == "running" else None)(located()))
print(f"RECOVERED on {recovered['node']}", flush=True)
print("WORKFLOW OK", flush=True)
