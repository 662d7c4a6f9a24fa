/* mb_json.c - mem-balancer's JSON: the run's summary and the live view's /vms. */
#include "mb_json.h"

#include <json-glib/json-glib.h>

char *mb_json_summary(const MbRunView *run, const char *ended)
{
    JsonBuilder *j = json_builder_new();

    json_builder_begin_object(j);
    json_builder_set_member_name(j, "policy");
    json_builder_add_string_value(j, run->policy);
    json_builder_set_member_name(j, "tax_rate_mode");
    json_builder_add_string_value(j, run->tax_auto ? "auto" : "static");
    json_builder_set_member_name(j, "tax_rate");
    json_builder_add_double_value(j, run->tax_rate);
    json_builder_set_member_name(j, "memory_kib");
    json_builder_add_int_value(j, run->memory);
    json_builder_set_member_name(j, "reserve_kib");
    json_builder_add_int_value(j, run->reserve);
    json_builder_set_member_name(j, "floor_kib");
    json_builder_add_int_value(j, run->floor);
    json_builder_set_member_name(j, "max_step_kib");
    json_builder_add_int_value(j, run->max_step);
    json_builder_set_member_name(j, "interval_s");
    json_builder_add_double_value(j, run->interval);
    json_builder_set_member_name(j, "intervals");
    json_builder_add_int_value(j, (gint64)run->intervals);
    json_builder_set_member_name(j, "elapsed_s");
    json_builder_add_double_value(j, run->elapsed);
    json_builder_set_member_name(j, "ended");
    json_builder_add_string_value(j, ended);
    json_builder_set_member_name(j, "vms");
    json_builder_begin_array(j);
    for (gsize i = 0; i < run->n; i++) {
        const MbVm *vm = run->vms[i];
        json_builder_begin_object(j);
        json_builder_set_member_name(j, "name");
        json_builder_add_string_value(j, vm->name);
        json_builder_set_member_name(j, "max_kib");
        json_builder_add_int_value(j, vm->b.max);
        json_builder_set_member_name(j, "target_kib");
        json_builder_add_int_value(j, vm->b.target);
        json_builder_set_member_name(j, "used_kib");
        json_builder_add_int_value(j, vm->b.used);
        json_builder_set_member_name(j, "free_kib");
        json_builder_add_int_value(j, vm->b.free);
        json_builder_set_member_name(j, "total_kib");
        json_builder_add_int_value(j, vm->b.total);
        json_builder_set_member_name(j, "stats");
        json_builder_add_boolean_value(j, vm->stats);
        json_builder_set_member_name(j, "dropped");
        if (vm->dropped)
            json_builder_add_string_value(j, vm->dropped);
        else
            json_builder_add_null_value(j);
        json_builder_end_object(j);
    }
    json_builder_end_array(j);
    json_builder_end_object(j);
    JsonGenerator *g = json_generator_new();
    JsonNode *root = json_builder_get_root(j);
    json_generator_set_root(g, root);
    json_generator_set_pretty(g, TRUE);
    char *text = json_generator_to_data(g, NULL);
    char *out = g_strconcat(text, "\n", NULL);
    g_free(text);
    json_node_unref(root);
    g_object_unref(g);
    g_object_unref(j);
    return out;
}

char *mb_json_vms(const MbRunView *run)
{
    JsonBuilder *j = json_builder_new();

    json_builder_begin_object(j);
    json_builder_set_member_name(j, "time");
    json_builder_add_double_value(j, run->elapsed);
    json_builder_set_member_name(j, "policy");
    json_builder_add_string_value(j, run->policy);
    json_builder_set_member_name(j, "tax_rate");
    json_builder_add_double_value(j, run->tax_rate);
    json_builder_set_member_name(j, "intervals");
    json_builder_add_int_value(j, (gint64)run->intervals);
    json_builder_set_member_name(j, "vms");
    json_builder_begin_array(j);
    for (gsize i = 0; i < run->n; i++) {
        const MbVm *vm = run->vms[i];
        json_builder_begin_object(j);
        json_builder_set_member_name(j, "name");
        json_builder_add_string_value(j, vm->name);
        json_builder_set_member_name(j, "target");
        json_builder_add_int_value(j, vm->b.target);
        json_builder_set_member_name(j, "used");
        json_builder_add_int_value(j, vm->b.used);
        json_builder_set_member_name(j, "free");
        json_builder_add_int_value(j, vm->b.free);
        json_builder_set_member_name(j, "total");
        json_builder_add_int_value(j, vm->b.total);
        json_builder_set_member_name(j, "guest_total");
        json_builder_add_int_value(j, vm->guest_total);
        json_builder_set_member_name(j, "guest_free");
        json_builder_add_int_value(j, vm->guest_free);
        json_builder_set_member_name(j, "guest_available");
        json_builder_add_int_value(j, vm->guest_available);
        json_builder_set_member_name(j, "max");
        json_builder_add_int_value(j, vm->b.max);
        json_builder_set_member_name(j, "dropped");
        if (vm->dropped)
            json_builder_add_string_value(j, vm->dropped);
        else
            json_builder_add_null_value(j);
        json_builder_end_object(j);
    }
    json_builder_end_array(j);
    json_builder_end_object(j);
    JsonNode *root = json_builder_get_root(j);
    char *text = json_to_string(root, FALSE);
    json_node_unref(root);
    g_object_unref(j);
    return text;
}
