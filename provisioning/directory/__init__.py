"""The directory engine: one directory group per team/purpose, in Active Directory or plain LDAP.

Pure Python + ldap3, no Django. The worker builds a DirectoryConfig from settings and calls
DirectoryGroups; it retries on DirectoryUnavailable and fails the run on DirectoryError.
"""

from provisioning.directory.config import DirectoryConfig
from provisioning.directory.errors import (
    DirectoryError,
    DirectoryProblem,
    DirectoryUnavailable,
    GroupNotFound,
    InvalidDirectoryConfig,
    InvalidGroupName,
)
from provisioning.directory.flavours import AD_GLOBAL_SECURITY_GROUP
from provisioning.directory.groups import DirectoryGroups
from provisioning.directory.naming import render_group_name, validate_group_name
from provisioning.directory.results import GroupResult, ReconcileReport

__all__ = [
    "AD_GLOBAL_SECURITY_GROUP",
    "DirectoryConfig",
    "DirectoryError",
    "DirectoryGroups",
    "DirectoryProblem",
    "DirectoryUnavailable",
    "GroupNotFound",
    "GroupResult",
    "InvalidDirectoryConfig",
    "InvalidGroupName",
    "ReconcileReport",
    "render_group_name",
    "validate_group_name",
]
