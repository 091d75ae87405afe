import { Module } from '@nestjs/common';
import { IssueCertificateController } from './issue-certificate/issue-certificate.controller';
import { ChangeCertificateController } from './change-certificate/change-certificate.controller';
import { CertificateViewsController } from './certificate-views/certificate-views.controller';
import { BatchCertificationController } from './batch-certification/batch-certification.controller';

@Module({
  controllers: [
    IssueCertificateController,
    ChangeCertificateController,
    CertificateViewsController,
    BatchCertificationController,
  ],
})
export class CertificatesModule {}
