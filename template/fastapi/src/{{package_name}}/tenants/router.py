"""/tenants: operators create, suspend, reactivate and delete tenants (X-Operator-Key)."""

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from ..api import V1
from ..db import PublicSession
from ..errors import responses
from ..invitations.schemas import InvitationRead
from ..invitations.service import invite
from ..mail import mailer
from ..tenancy import drop_storage, forget_tenant, lifecycle, set_tenant
from .accounts import remove_accounts
from .deps import RequireOperator
from .schemas import AdministratorInvitation, TenantCreate, TenantRead

router = APIRouter(
    prefix=f"{V1}/tenants",
    tags=["tenants"],
    dependencies=[RequireOperator],
    responses=responses(401, 403, 422, 503),
)


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(409, 413))
async def create_tenant(data: TenantCreate, session: PublicSession, request: Request) -> TenantRead:
    """Create a tenant and its storage, and invite its administrator by e-mail; the answer is
    the same whether the address has an account."""
    settings = request.app.state.settings
    tenant = await lifecycle.create_tenant(
        session, settings, name=data.name, slug=data.slug, admin_id=None
    )
    try:
        await invite(
            session,
            mailer(request),
            settings,
            email=data.admin_email,
            role="admin",
            invited_by=None,
            service_name=request.app.title,
        )
    except BaseException:  # the mail failed: the tenant's row rolls back, its storage too
        # Roll back first: the transaction may hold a connection to the tenant's own database
        # (its audit event), which dropping the database would cut under it.
        tenant_id = tenant.id
        await session.rollback()
        await forget_tenant(request.app, tenant_id)
        await drop_storage(settings, tenant_id)
        raise
    return TenantRead.model_validate(tenant)


@router.post(
    "/{tenant_id}/invitations",
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(404, 413),
)
async def invite_administrator(
    tenant_id: UUID, data: AdministratorInvitation, session: PublicSession, request: Request
) -> InvitationRead:
    """Invite an administrator to the tenant by e-mail, as its creation does."""
    await lifecycle.get_tenant(session, tenant_id)
    await set_tenant(session, tenant_id)
    return await invite(
        session,
        mailer(request),
        request.app.state.settings,
        email=data.email,
        role="admin",
        invited_by=None,
        service_name=request.app.title,
    )


@router.get("/{tenant_id}", responses=responses(404))
async def read_tenant(tenant_id: UUID, session: PublicSession) -> TenantRead:
    return TenantRead.model_validate(await lifecycle.get_tenant(session, tenant_id))


@router.post("/{tenant_id}/suspend", responses=responses(404))
async def suspend_tenant(tenant_id: UUID, session: PublicSession, request: Request) -> TenantRead:
    """Refuse the tenant's logins and requests with 403 until it is reactivated."""
    tenant = await lifecycle.set_status(session, tenant_id, "suspended")
    await forget_tenant(request.app, tenant_id)
    return TenantRead.model_validate(tenant)


@router.post("/{tenant_id}/reactivate", responses=responses(404))
async def reactivate_tenant(
    tenant_id: UUID, session: PublicSession, request: Request
) -> TenantRead:
    tenant = await lifecycle.set_status(session, tenant_id, "active")
    await forget_tenant(request.app, tenant_id)
    return TenantRead.model_validate(tenant)


@router.delete("/{tenant_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404))
async def delete_tenant(tenant_id: UUID, session: PublicSession, request: Request) -> Response:
    """Delete the tenant and all of its data, its storage included, and the accounts of its
    members who belong to no other tenant."""
    await forget_tenant(request.app, tenant_id)
    left_alone = await lifecycle.delete_tenant(session, request.app.state.settings, tenant_id)
    await remove_accounts(session, left_alone)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
