"""tools.cost: hand-computed estimates on small hand-written stacks, the data files, the failure on an
unpriced type, the JSON's stability and the per-resource difference."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.cost import monthly_difference
from tools.cost.__main__ import main
from tools.cost.charges import Unpriced
from tools.cost.data import DataError, load_prices
from tools.cost.estimate import estimate_folder
from tools.cost.render import to_json
from tools.cost.stacks import load_stacks

HOURS = 730


def write_stack(root: Path, layer: str, resources: dict, region: str = "us-west-2") -> Path:
    folder = root / layer
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdk.tf.json").write_text(json.dumps({"provider": {"aws": [{"region": region}]}, "resource": resources}))
    return root


def usage_file(tmp_path: Path, **figures: float) -> Path:
    path = tmp_path / "usage.toml"
    path.write_text("[figures]\n" + "".join(f'{k} = {{ value = {v}, why = "test figure {k}" }}\n'
                                           for k, v in figures.items()))
    return path


def monthly(estimate, address: str) -> float:
    return sum(line.monthly for line in estimate.lines if line.address == address)


def test_a_nat_gateway_costs_its_hours_and_its_share_of_the_gb(tmp_path):
    stacks = write_stack(tmp_path / "s", "01-network", {"aws_nat_gateway": {"nat": {"subnet_id": "x"}}})
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, nat_gb=20))
    # 730 h x $0.045 + 20 GB x $0.045 (us-west-2)
    assert monthly(estimate, "aws_nat_gateway.nat") == pytest.approx(32.85 + 0.90)
    assert {line.kind for line in estimate.lines} == {"fixed", "usage"}


def test_an_interface_endpoint_in_two_zones_pays_two_zone_hours(tmp_path):
    endpoint = {"vpc_endpoint_type": "Interface", "service_name": "com.amazonaws.us-west-2.ssm",
                "subnet_ids": ["${aws_subnet.a.id}", "${aws_subnet.b.id}"]}
    gateway = {"vpc_endpoint_type": "Gateway", "service_name": "com.amazonaws.us-west-2.s3"}
    stacks = write_stack(tmp_path / "s", "01-network", {"aws_vpc_endpoint": {"ssm": endpoint, "s3": gateway}})
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, vpce_gb=30))
    # 730 h x 2 zones x $0.01 + 30 GB x $0.01 (the only interface endpoint takes all the GB)
    assert monthly(estimate, "aws_vpc_endpoint.ssm") == pytest.approx(14.60 + 0.30)
    free = [line for line in estimate.lines if line.address == "aws_vpc_endpoint.s3"]
    assert [line.kind for line in free] == ["free"] and "gateway endpoints" in free[0].assumption


def fargate(strategy: list | None = None) -> dict:
    service = {"desired_count": 2, "task_definition": "${aws_ecs_task_definition.api.arn}"}
    if strategy:
        service["capacity_provider_strategy"] = strategy
    else:
        service["launch_type"] = "FARGATE"
    return {"aws_ecs_service": {"api": service},
            "aws_ecs_task_definition": {"api": {"cpu": "512", "memory": "1024"}}}


def test_a_fargate_service_costs_desired_tasks_times_task_size(tmp_path):
    stacks = write_stack(tmp_path / "s", "07-application", fargate())
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, task_hours=730))
    # 2 tasks x 730 h x (0.5 vCPU x $0.04048 + 1 GB x $0.004445)
    assert monthly(estimate, "aws_ecs_service.api") == pytest.approx(2 * 730 * (0.5 * 0.04048 + 1 * 0.004445))
    assert monthly(estimate, "aws_ecs_task_definition.api") == 0


def test_a_fargate_task_with_a_public_ip_pays_for_the_address(tmp_path):
    resources = fargate()
    resources["aws_ecs_service"]["api"]["network_configuration"] = {"assign_public_ip": True}
    stacks = write_stack(tmp_path / "s", "07-application", resources)
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, task_hours=730))
    assert monthly(estimate, "aws_ecs_service.api") == pytest.approx(
        2 * 730 * (0.5 * 0.04048 + 1 * 0.004445) + 2 * 730 * 0.005)


def test_an_autoscaling_floor_above_the_desired_count_sets_the_tasks(tmp_path):
    resources = fargate()
    resources["aws_appautoscaling_target"] = {"api": {
        "min_capacity": 3, "max_capacity": 6,
        "resource_id": "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.api.name}"}}
    stacks = write_stack(tmp_path / "s", "07-application", resources)
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, task_hours=730))
    assert monthly(estimate, "aws_ecs_service.api") == pytest.approx(3 * 730 * (0.5 * 0.04048 + 1 * 0.004445))
    assert any("min_capacity 3" in line.assumption for line in estimate.lines)


def test_fargate_spot_takes_the_spot_discount_off(tmp_path):
    stacks = write_stack(tmp_path / "s", "07-application",
                         fargate([{"capacity_provider": "FARGATE_SPOT", "weight": 1}]))
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, task_hours=730))
    assert monthly(estimate, "aws_ecs_service.api") == pytest.approx(2 * 730 * (0.5 * 0.04048 + 0.004445) * 0.30)


def aurora(low: float, high: float) -> dict:
    return {"aws_rds_cluster": {"db": {"serverlessv2_scaling_configuration": {"min_capacity": low, "max_capacity": high}}},
            "aws_rds_cluster_instance": {"writer": {"instance_class": "db.serverless",
                                                    "cluster_identifier": "${aws_rds_cluster.db.id}"}}}


@pytest.mark.parametrize(("acu", "billed"), [(2, 2), (8, 4), (0.25, 0.5)])
def test_aurora_bills_the_average_acu_held_to_the_scaling_range(tmp_path, acu, billed):
    stacks = write_stack(tmp_path / "s", "03-database", aurora(0.5, 4))
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, aurora_acu=acu, aurora_storage_gb=10,
                                                              aurora_io_million=5))
    assert monthly(estimate, "aws_rds_cluster_instance.writer") == pytest.approx(billed * 730 * 0.12)
    assert monthly(estimate, "aws_rds_cluster.db") == pytest.approx(10 * 0.10 + 5 * 0.20)


def test_a_lambda_with_provisioned_concurrency_pays_for_it_all_month(tmp_path):
    resources = {"aws_lambda_function": {"fn": {"memory_size": 1024}},
                 "aws_lambda_provisioned_concurrency_config": {
                     "warm": {"function_name": "${aws_lambda_function.fn.function_name}",
                              "provisioned_concurrent_executions": 2}}}
    stacks = write_stack(tmp_path / "s", "06-lambda-genai", resources)
    estimate = estimate_folder(stacks, "handtest", usage_file(tmp_path, other_lambda_invocations=1_000_000,
                                                              other_lambda_duration_ms=100))
    # 2 x 1 GB x 730 h x 3600 s x $0.0000041667
    assert monthly(estimate, "aws_lambda_provisioned_concurrency_config.warm") == pytest.approx(
        2 * 1 * 730 * 3600 * 0.0000041667)
    # 1 M requests x $0.20 + 1 M x 0.1 s x 1 GB x $0.0000166667
    assert monthly(estimate, "aws_lambda_function.fn") == pytest.approx(0.20 + 100_000 * 0.0000166667)


def test_an_unpriced_type_stops_the_estimate_naming_type_and_address(tmp_path, capsys):
    stacks = write_stack(tmp_path / "s", "01-network", {"aws_nat_gateway": {"nat": {}},
                                                        "aws_shiny_new_thing": {"thing": {}}})
    with pytest.raises(Unpriced, match=r"aws_shiny_new_thing at 01-network/aws_shiny_new_thing\.thing"):
        estimate_folder(stacks, "handtest")
    assert main(["--stacks", str(stacks)]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "aws_shiny_new_thing" in error[0]


def test_a_bedrock_model_without_a_price_is_unpriced(tmp_path):
    function = {"memory_size": 512, "environment": {"variables": {"BEDROCK_MODEL_ID": "vendor.unknown-model-v9"}}}
    stacks = write_stack(tmp_path / "s", "06-lambda-genai", {"aws_lambda_function": {"genai": function}})
    with pytest.raises(Unpriced, match="bedrock_input_million:vendor.unknown-model-v9"):
        estimate_folder(stacks, "handtest")


def test_count_is_expanded_and_an_expression_counts_once_with_a_note(tmp_path):
    stacks = write_stack(tmp_path / "s", "01-network", {"aws_eip": {"three": {"count": 3},
                                                                    "maybe": {"count": "${length(var.x)}"}}})
    loaded = load_stacks(stacks)
    assert [i.address for i in loaded.instances] == ["aws_eip.maybe", "aws_eip.three[0]", "aws_eip.three[1]",
                                                     "aws_eip.three[2]"]
    assert "expression" in loaded.instances[0].note


def test_a_price_file_without_a_source_names_the_file_and_the_field(tmp_path):
    document = json.loads((Path("tools/cost/data/prices/us-west-2.json")).read_text())
    del document["prices"]["nat_gateway_hour"]["source"]
    (tmp_path / "us-west-2.json").write_text(json.dumps(document))
    with pytest.raises(DataError, match=r"us-west-2\.json: field 'prices\.nat_gateway_hour\.source'"):
        load_prices("us-west-2", tmp_path)


@pytest.mark.parametrize("region", ["us-west-2", "ap-northeast-2", "ap-northeast-1"])
def test_every_price_names_its_aws_page_its_date_and_how_far_it_is_checked(region):
    prices = load_prices(region).prices
    assert prices, region
    for key, price in prices.items():
        assert price.source.startswith("https://aws.amazon.com/"), key
        assert price.basis and price.date_read, key
        assert price.unverified or price.read_at, f"{key}: a checked figure says where it was read"
        if region != "us-west-2" and "assumed equal" in price.basis:
            assert "no " in price.basis, f"{key}: an assumed regional figure says it was not found"


def test_json_output_is_stable_and_sorted(tmp_path):
    stacks = write_stack(tmp_path / "s", "07-application", fargate())
    first = to_json(estimate_folder(stacks, "handtest"))
    assert first == to_json(estimate_folder(stacks, "handtest"))
    document = json.loads(first)
    assert list(document) == sorted(document)
    assert document["total"]["monthly"] == pytest.approx(sum(line["monthly"] for line in document["lines"]))


def test_monthly_difference_lists_what_a_change_adds(tmp_path):
    one = write_stack(tmp_path / "one", "01-network", {"aws_nat_gateway": {"nat_0": {}}})
    two = write_stack(tmp_path / "two", "01-network", {"aws_nat_gateway": {"nat_0": {}, "nat_1": {}}})
    total, lines = monthly_difference(one, two, "handtest")
    assert total == pytest.approx(730 * 0.045)  # the GB are shared: only the second gateway's hours are new
    assert [(d.address, round(d.delta, 2)) for d in lines] == [("aws_nat_gateway.nat_1", 33.30),
                                                               ("aws_nat_gateway.nat_0", -0.45)]


def test_compare_prints_a_markdown_block_per_resource(tmp_path, capsys):
    one = write_stack(tmp_path / "one", "01-network", {"aws_nat_gateway": {"nat_0": {}}})
    two = write_stack(tmp_path / "two", "01-network", {"aws_nat_gateway": {"nat_0": {}, "nat_1": {}}})
    assert main(["--stacks", str(two), "--usage-env", "handtest", "--compare", str(one)]) == 0
    block = capsys.readouterr().out
    assert block.startswith("#### Monthly cost: +$32.85 (handtest, us-west-2)")
    assert "| 01-network | `aws_nat_gateway.nat_1` | $0.00 | $33.30 | +$33.30 |" in block


def test_a_bad_usage_file_is_one_line_naming_the_file_and_the_field(tmp_path, capsys):
    stacks = write_stack(tmp_path / "s", "01-network", {"aws_nat_gateway": {"nat": {}}})
    bad = tmp_path / "bad.toml"
    bad.write_text('[figures]\nnat_gb = { value = -1, why = "negative" }\n')
    assert main(["--stacks", str(stacks), "--usage", str(bad)]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "bad.toml: field 'figures.nat_gb.value'" in error[0]


def test_the_profile_is_the_settings_own_to_be_profile(tmp_path):
    """--profile synthesizes what load_environment(env, profile=...) gives: byte for byte, and without
    dev's debug host, whose monthly figure is then the 07-application saving of the side by side."""
    from tools.cost.compare import side_by_side_markdown, signed
    from tools.cost.synth import synthesize_profile
    from tools.design.synthesis import synthesize_into, variant

    to_be = synthesize_profile("dev", "to-be", tmp_path / "p")
    designed = synthesize_into(variant("dev", profile="to-be"), tmp_path / "designed")
    layers = sorted(p.name for p in designed.iterdir())
    assert layers and layers == sorted(p.name for p in to_be.iterdir())
    for layer in layers:
        assert (to_be / layer / "cdk.tf.json").read_bytes() == (designed / layer / "cdk.tf.json").read_bytes(), layer
    as_is = estimate_folder(synthesize_into(variant("dev"), tmp_path / "as-is"), "dev")
    after = estimate_folder(to_be, "dev")
    assert monthly(as_is, "aws_instance.debug") > 0 and "aws_instance.debug" not in {l.address for l in after.lines}
    table = side_by_side_markdown(as_is, after)
    assert f"**{signed(after.total - as_is.total)}** |" in table and after.total != as_is.total


def test_an_unknown_profile_is_one_line_naming_the_field_and_the_file(tmp_path):
    from tools.cost.synth import SynthError, synthesize_profile

    with pytest.raises(SynthError) as raised:
        synthesize_profile("dev", "to-bee", tmp_path)
    message = str(raised.value)
    assert len(message.splitlines()) == 1 and "dev.toml" in message and "profile" in message and "to-bee" in message


def test_side_by_side_shows_each_layer_as_is_and_to_be(tmp_path):
    from tools.cost.compare import side_by_side_markdown

    as_is = estimate_folder(write_stack(tmp_path / "a", "01-network", {"aws_nat_gateway": {"n0": {}, "n1": {}}}), "x")
    to_be = estimate_folder(write_stack(tmp_path / "b", "01-network", {"aws_nat_gateway": {"n0": {}}}), "x")
    table = side_by_side_markdown(as_is, to_be)
    assert "| 01-network | $66.60 | $33.75 | −$32.85 |" in table


def test_one_layer_is_estimated_alone_and_an_unknown_layer_is_an_error(tmp_path, capsys):
    stacks = write_stack(tmp_path / "s", "01-network", {"aws_nat_gateway": {"nat": {}}})
    write_stack(stacks, "10-monitoring", {"aws_cloudwatch_dashboard": {"main": {}}})
    only = estimate_folder(stacks, "handtest", layer="10-monitoring")
    assert only.total == pytest.approx(3.00) and only.layers == ("10-monitoring",)
    assert main(["--stacks", str(stacks), "--layer", "99-nothing"]) == 1
    assert "no layer '99-nothing'" in capsys.readouterr().err


def test_a_bad_compare_ref_is_one_line_and_leaves_no_worktree(tmp_path):
    import subprocess

    from tools.cost.synth import ROOT, SynthError, synthesize_ref

    def worktrees() -> str:
        return subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True).stdout

    before = worktrees()
    with pytest.raises(SynthError, match=r"^--compare-ref no-such-ref-i35: ") as error:
        synthesize_ref("no-such-ref-i35", "dev", tmp_path)
    assert "\n" not in str(error.value)
    assert worktrees() == before


def test_the_text_output_lists_free_resources_with_the_reason(tmp_path):
    from tools.cost.render import to_text

    stacks = write_stack(tmp_path / "s", "01-network", {"aws_nat_gateway": {"nat": {}}, "aws_vpc": {"main": {}},
                                                        "aws_subnet": {"a": {}, "b": {}}})
    text = to_text(estimate_folder(stacks, "handtest"))
    assert "free (3 resources):" in text
    assert "aws_subnet" in text and "x2" in text and "no charge for subnets" in text


def test_a_misspelt_usage_figure_is_refused_not_ignored(tmp_path):
    stacks = write_stack(tmp_path / "s", "01-network", {"aws_nat_gateway": {"nat": {}}})
    with pytest.raises(DataError, match=r"usage\.toml: field 'figures\.nat_gbb': no such usage figure"):
        estimate_folder(stacks, "handtest", usage_file(tmp_path, nat_gbb=5))


def test_an_empty_stacks_folder_says_how_to_get_one(tmp_path, capsys):
    assert main(["--stacks", str(tmp_path)]) == 1
    assert "run bin/app, or pass --env ENV" in capsys.readouterr().err
