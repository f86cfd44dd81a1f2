"""DirectoryRoleMapping becomes IdentityRoleMapping: one mapping for directory groups (LDAP/AD login) and
single sign-on claim values (OpenID Connect login). Existing rows are kept as directory mappings; the
model's permissions keep their rows (and so the groups holding them) under their new codenames."""

from django.db import migrations, models

RENAMES = [("directoryrolemapping", "identityrolemapping"), ("directory role mapping", "identity role mapping")]


def rename_permissions(apps, schema_editor, forward=True):
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for permission in Permission.objects.using(db).filter(content_type__app_label="accounts"):
        codename, name = permission.codename, permission.name
        for old, new in RENAMES:
            if not forward:
                old, new = new, old
            codename, name = codename.replace(old, new), name.replace(old, new)
        if (codename, name) != (permission.codename, permission.name):
            if Permission.objects.using(db).filter(content_type_id=permission.content_type_id,
                                                   codename=codename).exists():
                permission.delete()  # post_migrate already made the new one
            else:
                permission.codename, permission.name = codename, name
                permission.save(update_fields=["codename", "name"])


def rename_permissions_back(apps, schema_editor):
    rename_permissions(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_personal_access_tokens"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("teams", "0003_team_quota"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="directoryrolemapping", name="directory_mapping_team_iff_not_admin"),
        migrations.RenameModel(old_name="DirectoryRoleMapping", new_name="IdentityRoleMapping"),
        migrations.RunPython(rename_permissions, rename_permissions_back),
        migrations.AddField(
            model_name="identityrolemapping",
            name="source",
            field=models.CharField(choices=[("directory", "Directory group (LDAP/AD login)"),
                                            ("oidc", "Single sign-on claim value (OpenID Connect)")],
                                   default="directory", max_length=20),
        ),
        migrations.AlterField(
            model_name="identityrolemapping",
            name="group",
            field=models.CharField(
                help_text="A directory group: its DN (cn=ml-churn,ou=groups,dc=example,dc=org) or just its name "
                "(ml-churn); DNs compare as the directory does, names ignore case. A single sign-on claim value: "
                "one value of the role claims (PORTAL_OIDC_ROLE_CLAIMS, e.g. the groups claim), compared exactly.",
                max_length=500, verbose_name="group or claim value"),
        ),
        migrations.AlterField(
            model_name="identityrolemapping",
            name="team",
            field=models.ForeignKey(
                blank=True, help_text="The modelling team (requester) or steering team (approver); empty for portal "
                "admin.", null=True, on_delete=models.deletion.CASCADE, related_name="role_mappings", to="teams.team"),
        ),
        migrations.AlterModelOptions(name="identityrolemapping",
                                     options={"ordering": ["source", "role", "team__name", "group"]}),
        migrations.AddConstraint(
            model_name="identityrolemapping",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("role", "admin"), ("team__isnull", True)),
                                   models.Q(models.Q(("role", "admin"), _negated=True), ("team__isnull", False)),
                                   _connector="OR"),
                name="identity_mapping_team_iff_not_admin"),
        ),
    ]
